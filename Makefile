# rnpu: the one entry point.  See README.md.
#   make          build everything that can build here
#   make test     everything CI runs (installs what is missing first)
#   make demo     boot the virtual board and run a real model on the NPU
#   make deps     install the Debian/npm packages the project needs
SHELL := /bin/bash
BUILD ?= $(CURDIR)/build
export BUILD_DIR := $(BUILD)
CMAKE_FLAGS ?=

.PHONY: .deps-ok all deps build kernel test demo vm vm-test format clean help

all: build kernel

help:
	@sed -n '2,6p' Makefile

deps:
	tools/setup-deps.sh

# Install only when something is missing, so repeat runs stay fast.
.deps-ok:
	@tools/setup-deps.sh --check >/dev/null 2>&1 || tools/setup-deps.sh

build: .deps-ok
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD)

kernel: .deps-ok
	@if [ -f kernel/Makefile ]; then $(MAKE) -C kernel; \
	else echo "kernel/: driver not written yet, skipping"; fi

test: build
	tests/run-all.sh

demo: build
	tools/demo.sh

vm: build
	qemu/vm.sh shell

vm-test: build
	tests/run-all.sh vm

format:
	clang-format -i $$(git ls-files '*.cc' '*.cpp' '*.hpp' 'userspace/*.h' 'tools/*.h')

clean:
	rm -rf $(BUILD)
	@if [ -f kernel/Makefile ]; then $(MAKE) -C kernel clean; fi
