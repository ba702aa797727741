// Shared by every kernel: storage type selection and the flat index of an
// invocation in a 1-D problem spread over a 2-D grid of workgroups (the
// x count is limited to 65535 groups on many devices).
#extension GL_GOOGLE_include_directive : enable
#if FP16
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define STORE float16_t
#else
#define STORE float
#endif

#include "opcodes.h"

// A macro, not a function: gl_WorkGroupSize is only right after the
// kernel's local_size declaration, which follows this include.
#define flat_index() \
  ((gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x + \
   gl_LocalInvocationID.x)
