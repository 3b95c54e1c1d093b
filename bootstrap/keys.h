/*
 * keys.h — the set of trusted minisign public keys for one run.
 * Keys come from --pubkey (a base64 key or a .pub file) and from
 * every ROOT/etc/roleboot/trusted.d/NAME.pub.  A malformed key is an error, never
 * silently skipped.  trusted.d and its keys are read without following any
 * symbolic link (rootfs.h): a key that is a link is an error, not trusted.
 */
#ifndef ROLEBOOT_KEYS_H
#define ROLEBOOT_KEYS_H

#include <stddef.h>

#include "rootfs.h"
#include "sig.h"

struct keyring {
	struct sig_pubkey *keys; /* owned */
	size_t n;
};

int keyring_add_arg(struct keyring *kr, const char *arg);
int keyring_add_dir(struct keyring *kr, struct rootfs *root);
void keyring_release(struct keyring *kr);

#endif
