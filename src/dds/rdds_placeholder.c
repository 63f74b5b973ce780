/* Empty until the area's first module lands; delete it then. */
typedef int rg_placeholder_9885;
