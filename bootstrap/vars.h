/*
 * vars.h — from the role file's text to typed template data.
 *
 * The bundle declares every variable (manifest.h); the role file, and then
 * --var NAME=VALUE overrides (which win), supply values.  Each value is
 * checked against its type (vartype.h); a failure names the variable, where
 * the value came from (FILE:LINE, --var, or the manifest default) and,
 * unless the variable is secret, the value.  Undeclared names are refused.
 *
 * The result is a map: every top-level variable by name (lists as lists,
 * booleans as booleans, secrets marked), every section variable as a list
 * of maps {name, key...} in role file order.  "role", "bundle", "host" and
 * "kernel" are reserved for facts and cannot be declared.
 */
#ifndef ROLEBOOT_VARS_H
#define ROLEBOOT_VARS_H

#include "valtree.h"
#include "manifest.h"
#include "role.h"

struct override {
	const char *name, *value; /* borrowed */
	const char *origin;       /* "--var", "kernel command line" */
};

/* Adds the variables into root (a TV_MAP); their nodes come from root's pool
 * when it has one (tv_pool_map, valtree.h).  role may be NULL. */
int vars_build(const struct manifest *m, const struct role *r, const struct override *ov,
               size_t nov, struct tv *root);

#endif
