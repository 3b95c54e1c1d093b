/*
 * vartype.h — the value types a bundle can declare for its variables.
 *
 * string    printable text: no control characters, no '"' or '\'
 * int       decimal integer (64-bit)
 * bool      yes/no, true/false, on/off, 1/0 (rendered as "true"/"false")
 * ip        IPv4 or IPv6 address
 * cidr      address/prefix (prefix within the family's range)
 * hostname  DNS name: labels of 1-63 letters, digits, '-' and '_', not
 *           starting or ending with '-', at most 253 bytes, optional final dot
 * port      1-65535
 * path      absolute path without "..", whitespace, quotes or control chars
 *
 * A list of a type is written comma-separated; items are trimmed.
 */
#ifndef ROLEBOOT_VARTYPE_H
#define ROLEBOOT_VARTYPE_H

enum vtype {
	VT_STRING,
	VT_INT,
	VT_BOOL,
	VT_IP,
	VT_CIDR,
	VT_HOSTNAME,
	VT_PORT,
	VT_PATH,
	VT_SECTION,
	VT_INVALID
};

/* Type from its manifest name; VT_INVALID when unknown. */
enum vtype vtype_parse(const char *name);
const char *vtype_name(enum vtype t);

/* Check one item; 0 when valid, -1 with a short reason in *why (static). */
int vtype_check(enum vtype t, const char *value, const char **why);

/* Parse a boolean: yes/no, true/false, on/off, 1/0 (any case); -1 when
 * none. */
int parse_bool(const char *s);

#endif
