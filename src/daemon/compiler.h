/* compiler.h - attributes for the daemon's own declarations. */
#ifndef NFLOGD_COMPILER_H
#define NFLOGD_COMPILER_H

/* The result says whether the call worked (or is the only thing the call
 * is for): a caller that ignores it fails to build (-Werror). A (void)
 * cast does not silence GCC: handle the failure, or say why it cannot
 * matter in a comment and an if. */
#define MUST_CHECK __attribute__((warn_unused_result))

#endif
