/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_FEATURES_H
#define HULL_FEATURES_H

/* The features document of features.md, for this build on this host. */
char *hull_features_json(void);

#endif
