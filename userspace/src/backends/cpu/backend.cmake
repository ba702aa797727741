# CPU backend: reference kernels (kernels/) and the XNNPACK fast path.
# Included by userspace/CMakeLists.txt.
file(GLOB RNPU_CPU_SOURCES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/*.cc
  ${CMAKE_CURRENT_LIST_DIR}/kernels/*.cc
  ${CMAKE_CURRENT_LIST_DIR}/fast/*.cc)
find_library(RNPU_XNNPACK_LIB XNNPACK REQUIRED)
find_library(RNPU_PTHREADPOOL_LIB pthreadpool REQUIRED)
# RE2 for RegexFullMatch (string_regex.cc), Debian's libre2-dev.
find_library(RNPU_RE2_LIB re2 REQUIRED)
rnpu_add_backend(cpu
  SOURCES ${RNPU_CPU_SOURCES}
  LIBRARIES ${RNPU_XNNPACK_LIB} ${RNPU_PTHREADPOOL_LIB} ${RNPU_RE2_LIB})
# The fast path's own float kernels rely on auto-vectorisation (with
# AVX2+FMA clones selected at run time).
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/fast/float_kernels.cc
  PROPERTIES COMPILE_OPTIONS "-O3;-fno-math-errno")

# The library-choice measurement (docs/cpu-backend.md); not installed.
add_executable(rnpu-cpu-gemm-bench ${CMAKE_CURRENT_LIST_DIR}/tools/cpu_gemm_bench.cc)
target_include_directories(rnpu-cpu-gemm-bench PRIVATE ${RNPU_US_DIR}/src)
target_link_libraries(rnpu-cpu-gemm-bench PRIVATE ${RNPU_XNNPACK_LIB} ${RNPU_PTHREADPOOL_LIB}
  ${CMAKE_DL_LIBS})
