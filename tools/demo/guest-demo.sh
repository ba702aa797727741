#!/bin/sh
# make demo, inside the virtual board: the PP-OCRv4 recognizer reads a
# rendered line of text on the NPU through rnpu.ko, then on the cpu backend
# for comparison.  Payload from tests/vm.d/50-npu.prep and 60-ocr.prep.
# Larger jobs take seconds on the host-emulated NPU: a longer hang timeout.
rmmod rnpu && insmod /lib/modules/extra/rnpu.ko job_timeout_ms=120000
echo
echo "=== rnpu demo: PP-OCRv4 text recognition on the NPU ==="
rnpu info | sed -n '/npu devices/,$p'
echo "rendered text: \"$(cat /demo/expected.txt)\" -> /demo/input.npy [1,3,48,320]"
for b in npu cpu; do
	echo
	echo "--- --backend $b"
	rm -rf "/tmp/$b"
	rnpu run /models/ppocr_rec.onnx --backend "$b" --no-fallback -i x=/demo/input.npy \
		-o "/tmp/$b" | grep -E '^(backend|run|npu|  MACs|  DRAM|  roofline)' || exit 1
	rnpu-ctc-decode /tmp/$b/*.npy /models/ppocr_keys_v1.txt | tee "/tmp/$b.txt" || exit 1
done
for f in /sys/class/devfreq/*/cur_freq; do
	[ -r "$f" ] && echo "NPU clock now: $(($(cat "$f") / 1000000)) MHz (devfreq $(cat "$(dirname "$f")/governor"))"
done
echo
echo "--- agreement of the class probabilities, npu vs cpu"
rnpu-npy-compare /tmp/npu /tmp/cpu --abs 2e-2 --rel 2e-2 --top 3 || exit 1
want="text: \"$(cat /demo/expected.txt)\""
case "$(cat /tmp/npu.txt)" in
"$want"*) echo "RESULT: the NPU read the text correctly" ;;
*) echo "RESULT: the NPU misread the text"; exit 1 ;;
esac
cmp -s /tmp/npu.txt /tmp/cpu.txt || { echo "RESULT: npu and cpu read different text"; exit 1; }
