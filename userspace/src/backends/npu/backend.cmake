# npu backend: streams from the NPU code generator (src/npu) submitted to
# the rnpu accel driver (/dev/accel) through libdrm.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RNPU_LIBDRM REQUIRED libdrm)
rnpu_add_backend(npu
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/npu_backend.cc ${CMAKE_CURRENT_LIST_DIR}/accel_device.cc
  LIBRARIES ${RNPU_LIBDRM_LIBRARIES}
  INCLUDE_DIRS ${RNPU_LIBDRM_INCLUDE_DIRS} ${PROJECT_SOURCE_DIR}/include/uapi)
