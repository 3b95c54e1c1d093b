/*
 * services.h — enabling and restarting the bundle's systemd services.
 *
 * Offline mode (an explicit --root, or running inside a chroot: /proc/1/root
 * is not the same folder as /) uses `systemctl --root=ROOT`, which edits the
 * unit symlinks without a running systemd.  On a live system plain
 * `systemctl` is used, systemd re-reads its units when a unit file
 * changed, and services are restarted only when asked (--now) and when a
 * file they depend on changed; with --now roleboot's own timer is also
 * started when it is not active (reapply.h).
 * The systemctl program is $ROLEBOOT_SYSTEMCTL or "systemctl" from PATH.
 */
#ifndef ROLEBOOT_SERVICES_H
#define ROLEBOOT_SERVICES_H

/* 1 when roleboot runs in a chroot (or cannot tell), 0 on the host. */
int services_in_chroot(void);

/* 1 when the unit is enabled under root (NULL for the live system). */
int services_is_enabled(const char *root, const char *name);
int services_enable(const char *root, const char *name);
/* Disables the unit; on the live system (root NULL) also stops it. */
int services_disable(const char *root, const char *name);
/* Live system only: 1 when `systemctl is-active` says the unit is active. */
int services_is_active(const char *name);
int services_start(const char *name);
int services_restart(const char *name);
/* Live system only: systemd re-reads the unit files (after some changed). */
int services_daemon_reload(void);

#endif
