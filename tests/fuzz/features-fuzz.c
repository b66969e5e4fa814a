/* SPDX-License-Identifier: GPL-2.0-or-later */
/* features.json: parse and round trip. */
#include "config.h"
#include "fuzz-common.h"

FUZZ_DEFINE_ROUND_TRIP(features)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oci_features_free(FUZZ_PARSE(features, data, size));
	return 0;
}
