/*
 * bundle.h — reading and packing bundles (tar archives, via libarchive).
 *
 * bundle_read() loads a bundle into memory after its signature verified.
 * Archive names are keys, never paths: nothing is created from them.
 * Policy (every violation refuses the whole bundle, naming the entry):
 *  - only regular files and directories (no symlinks, hard links, devices,
 *    fifos, sockets);
 *  - names: a leading "./" is dropped; absolute names, ".." components,
 *    empty components, control characters, names that are not valid UTF-8
 *    (overlong forms, surrogates and code points above U+10FFFF included)
 *    and names over 255 bytes are refused; a name that appears twice (after
 *    normalisation) is refused; bundle_pack() refuses the same names;
 *  - limits: entry count, size of one entry, total size (from the header
 *    and again while reading, so a lying header cannot pass).
 * Any compression libarchive was built with is accepted (gzip at least).
 *
 * bundle_pack() writes a reproducible tar.gz of a folder: names sorted
 * bytewise, mtime 0, uid/gid 0, no user/group names, modes 0644/0755 (0755
 * only for files with an execute bit), pax-restricted ustar, gzip without
 * timestamp or name.  The same folder always packs to the same bytes.
 * The source may hold only regular files and directories.  The archive is
 * written to a temp beside out_path (atomic.h: removed on failure and on
 * signals) and renamed over it once complete.
 *
 * Both return 0 on success or -1 with one line in err; nothing is printed.
 */
#ifndef ROLEBOOT_BUNDLE_H
#define ROLEBOOT_BUNDLE_H

#include <stddef.h>

struct bundle_entry {
	char *name;          /* owned, normalised */
	unsigned char *data; /* owned, NUL-terminated for convenience */
	size_t len;
	unsigned mode; /* permission bits from the archive */
};

struct bundle {
	struct bundle_entry *entries; /* owned, in archive order; regular files only
				       * (directories are checked, then dropped) */
	size_t n;
};

struct bundle_limits {
	size_t max_entries; /* default 1000 */
	size_t max_entry;   /* default 16 MiB */
	size_t max_total;   /* default 64 MiB */
};

#define BUNDLE_LIMITS_DEFAULT \
	{ \
		1000, 16u << 20, 64u << 20 \
	}

int bundle_read(const char *path, const struct bundle_limits *lim, struct bundle *out, char *err,
                size_t errlen);
/* The same over an archive already in memory (tests, fuzzing).  For both,
 * lim may be NULL for BUNDLE_LIMITS_DEFAULT; out is empty after a failure. */
int bundle_read_memory(const void *data, size_t len, const struct bundle_limits *lim,
                       struct bundle *out, char *err, size_t errlen);
const struct bundle_entry *bundle_find(const struct bundle *b, const char *name);
void bundle_release(struct bundle *b);

int bundle_pack(const char *dir, const char *out_path, char *err, size_t errlen);

#endif
