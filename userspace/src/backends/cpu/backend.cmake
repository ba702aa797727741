# CPU backend: reference kernels (kernels/) and the XNNPACK fast path.
# Included by userspace/CMakeLists.txt.
file(GLOB RNPU_CPU_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/*.cc
  ${CMAKE_CURRENT_LIST_DIR}/kernels/*.cc
  ${CMAKE_CURRENT_LIST_DIR}/fast/*.cc)
find_library(RNPU_XNNPACK_LIB XNNPACK REQUIRED)
find_library(RNPU_PTHREADPOOL_LIB pthreadpool REQUIRED)
rnpu_add_backend(cpu
  SOURCES ${RNPU_CPU_SOURCES}
  LIBRARIES ${RNPU_XNNPACK_LIB} ${RNPU_PTHREADPOOL_LIB})
# The fast path's own float kernels rely on auto-vectorisation (with
# AVX2+FMA clones selected at run time).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/fast/float_kernels.cc
  PROPERTIES COMPILE_OPTIONS "-O3;-fno-math-errno")
