# sim backend: streams from the NPU code generator (src/npu, built into the
# core with hw/model) executed in-process by the golden model.
rnpu_add_backend(sim SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_backend.cc)
