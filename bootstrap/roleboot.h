/*
 * roleboot.h — exit codes and the subcommand entry points.
 * Only main() and the cmd_* functions decide exit codes.
 */
#ifndef ROLEBOOT_H
#define ROLEBOOT_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_PENDING = 1, /* --dry-run: the node is not in the bundle's state */
	EXIT_USAGE = 2,   /* bad command line */
	EXIT_ROLE = 3,    /* role file or manifest refused (incl. downgrade, expiry) */
	EXIT_FETCH = 4,   /* a download failed */
	EXIT_SIG = 5,     /* signature missing, malformed or not trusted */
	EXIT_BUNDLE = 6,  /* bundle content refused (archive policy) */
	EXIT_RENDER = 7,  /* values, templates or validators refused */
	EXIT_INSTALL = 8, /* writing the files failed; nothing was changed */
	EXIT_SERVICE = 9, /* enabling or restarting services failed */
	EXIT_LOCKED = 10, /* another roleboot holds the root's lock past the wait */
};

int cmd_apply(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_route53d(int argc, char **argv);

extern const char roleboot_usage[];

#endif
