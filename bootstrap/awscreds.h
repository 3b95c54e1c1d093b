/*
 * awscreds.h — AWS credentials as AWS's own tools find them, for the sync
 * agent (a shared credentials file's profile) and route53d (a boto 2
 * file's [Credentials]).
 *
 * awscreds_env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and
 * AWS_SESSION_TOKEN) from the environment; 1 when both are set.
 * awscreds_file: aws_access_key_id, aws_secret_access_key and
 * aws_session_token (or boto's aws_security_token) of [section] of the INI
 * file path; with check_mode, a file that others may read (any mode bit
 * beyond 0640) is refused.  0, or -1 with one error printed.
 * The strings are malloc'ed and the caller's; awscreds_release() wipes and
 * frees them.
 */
#ifndef ROLEBOOT_AWSCREDS_H
#define ROLEBOOT_AWSCREDS_H

struct awscreds {
	char *key_id, *secret, *token; /* owned; token may be NULL */
};

int awscreds_env(struct awscreds *c);
int awscreds_file(const char *path, const char *section, int check_mode, struct awscreds *c);
void awscreds_release(struct awscreds *c);

#endif
