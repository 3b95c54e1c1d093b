/*
 * reapply.h — roleboot-apply.timer: drift correction on the node itself.
 *
 * A role with `reapply = SPAN` in [role] gets two units of roleboot's own,
 * installed with the bundle's files (same transaction, same state):
 *   /etc/systemd/system/roleboot-apply.service  `roleboot apply --now` of
 *       the role applied last (ROLEBOOT_OPTS from /etc/sysconfig/roleboot)
 *   /etc/systemd/system/roleboot-apply.timer    every SPAN after the timer
 *       starts (OnActiveSec: at boot from timers.target, or when apply
 *       starts it) and after each run, RandomizedDelaySec = reapply-delay
 *       (default 15min)
 * and the timer is enabled.  `apply --now` on a live system also starts
 * the timer when it is not active, and restarts it when its unit file
 * changed (a new span takes effect at once); offline, or without --now,
 * it is only enabled and starts at the next boot.  `reapply = off`
 * disables a timer left by an earlier role (on a live system it is
 * stopped too); no reapply key leaves the timer as it is.
 */
#ifndef ROLEBOOT_REAPPLY_H
#define ROLEBOOT_REAPPLY_H

#include "manifest.h"
#include "role.h"

#define REAPPLY_TIMER "roleboot-apply.timer"
#define REAPPLY_DELAY_DEFAULT "15min"

/* Adds the two units and the timer's service entry (enable, start) to m
 * when the role asks for them; the timer's file notifies the timer. */
void reapply_add(const struct role *r, struct manifest *m);
/* 1 when the role turns the timer off. */
int reapply_off(const struct role *r);

#endif
