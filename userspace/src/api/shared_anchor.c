/* librnpu.so is the whole rnpu_core archive; CMake needs one source file
 * of its own for the shared target. */
#include "rnpu/rnpu.h"
