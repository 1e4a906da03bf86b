/* isolate's throwaway clones (isolate_clone.c), for isolate.c. */
#ifndef ZEIT_ISOLATE_PRIV_H
#define ZEIT_ISOLATE_PRIV_H

#include "bisect_priv.h"
#include "zeit/isolate.h"

/* A clone of snap in the BE root, recorded on the root before it exists;
 * *name gets its BE name. */
int isolate_clone_make(struct be_ctx *be, const char *snap, char **name);

#endif
