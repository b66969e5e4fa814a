#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
import sys, os
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
open(os.path.join(out, "oci_types.h"), "w").write("/* SPDX-License-Identifier: LGPL-2.1-or-later */\n")
open(os.path.join(out, "oci_types.c"), "w").write("/* SPDX-License-Identifier: LGPL-2.1-or-later */\n")
