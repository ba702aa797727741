/* librnpu.so is the whole rnpu_core archive, exporting only the C API
 * (src/api/librnpu.map); CMake needs one source file of its own for the
 * shared target. */
#include "rnpu/rnpu.h"
