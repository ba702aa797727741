// ONNX Runtime (onnxruntime-node) side of bench/ort-compare.sh.
//
//   node bench/ort-run.mjs --ort DIR --model M [--threads N] [--warmup W]
//        [--iterations I] [--inputs-dir D] [--output-dir O] [--compare-dir R]
//
// --ort: the onnxruntime-node package directory (tools/fetch-test-models.sh
// prints it).  Inputs are read from D/<name>.npy and outputs written to
// O/<name>.npy, <name> being the tensor name with characters other than
// [A-Za-z0-9._-] replaced by '_' (the rule `rnpu run` uses).  --compare-dir
// compares ORT's outputs with the .npy files there (rnpu's).  Prints one
// JSON object: latency percentiles in ms and, with --compare-dir, the
// largest absolute difference per output.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const TYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<f2': ['float16', Uint16Array], '|i1': ['int8', Int8Array], '|u1': ['uint8', Uint8Array],
  '<i2': ['int16', Int16Array], '<u2': ['uint16', Uint16Array], '<i4': ['int32', Int32Array],
  '<u4': ['uint32', Uint32Array], '<i8': ['int64', BigInt64Array],
  '<u8': ['uint64', BigUint64Array], '|b1': ['bool', Uint8Array],
};

function fail(msg) {
  console.error(`ort-run: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const a = { threads: 1, warmup: 5, iterations: 50 };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (i + 1 >= argv.length) fail(`${argv[i]} needs a value`);
    a[k] = argv[i + 1];
  }
  if (!a.ort || !a.model) fail('usage: --ort DIR --model M [--threads N] ...');
  return a;
}

function fileName(name, used) {
  let base = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (!base || base[0] === '.') base = 'tensor' + base;
  let f = base;
  for (let k = 1; used.has(f); ++k) f = `${base}_${k}`;
  used.add(f);
  return f + '.npy';
}

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') fail(`${file}: not a .npy file`);
  const v2 = b[6] >= 2;
  const hlen = v2 ? b.readUInt32LE(8) : b.readUInt16LE(8);
  const start = v2 ? 12 : 10;
  const header = b.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
    .split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  if (/'fortran_order':\s*True/.test(header)) fail(`${file}: Fortran order`);
  const t = TYPES[descr === '=f4' ? '<f4' : descr];
  if (!t || !shape) fail(`${file}: unsupported header ${header.trim()}`);
  const data = b.buffer.slice(b.byteOffset + start + hlen, b.byteOffset + b.length);
  return { type: t[0], dims: shape, data: new t[1](data) };
}

function writeNpy(file, tensor) {
  const descr = Object.keys(TYPES).find((k) => TYPES[k][0] === tensor.type);
  if (!descr) fail(`output type ${tensor.type} cannot be written as .npy`);
  const dims = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`;
  h += ' '.repeat(64 - ((10 + h.length + 1) % 64 || 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre.writeUInt16LE(h.length, 8);
  const d = tensor.data;
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(h, 'latin1'),
    Buffer.from(d.buffer, d.byteOffset, d.byteLength)]));
}

function asNumber(x) {
  return typeof x === 'bigint' ? Number(x) : x;
}

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function maxAbsDiff(a, b) {
  if (a.type !== b.type || a.dims.join() !== b.dims.join())
    return { error: `${a.type}[${a.dims}] vs ${b.type}[${b.dims}]` };
  const conv = a.type === 'float16' ? halfToFloat : asNumber;
  let m = 0;
  for (let i = 0; i < a.data.length; ++i) {
    const x = conv(a.data[i]);
    const y = conv(b.data[i]);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const d = Math.abs(x - y);
    if (Number.isNaN(d)) return { max_abs_diff: null, error: 'NaN in one output only' };
    m = Math.max(m, d);
  }
  return { max_abs_diff: m };
}

function percentile(sorted, p) {
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const ort = createRequire(import.meta.url)(path.resolve(a.ort));
  const threads = Number(a.threads);
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(a.model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const feeds = {};
  const usedIn = new Set();
  for (const name of session.inputNames) {
    if (!a.inputsDir) fail('--inputs-dir is required (rnpu run --save-inputs writes it)');
    const t = readNpy(path.join(a.inputsDir, fileName(name, usedIn)));
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  let out = await session.run(feeds);
  for (let i = 0; i < Number(a.warmup); ++i) out = await session.run(feeds);
  const ms = [];
  for (let i = 0; i < Number(a.iterations); ++i) {
    const s = process.hrtime.bigint();
    out = await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  ms.sort((x, y) => x - y);
  const result = {
    runtime: `onnxruntime-node ${ort.env?.versions?.common ?? ''}`.trim(),
    model: a.model, threads, load_ms: loadMs, iterations: ms.length,
    latency_ms: {
      p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99),
      mean: ms.reduce((s, x) => s + x, 0) / ms.length, min: ms[0], max: ms[ms.length - 1],
    },
  };
  const usedOut = new Set();
  const cmp = [];
  if (a.outputDir) fs.mkdirSync(a.outputDir, { recursive: true });
  for (const name of session.outputNames) {
    const t = out[name];
    const f = fileName(name, usedOut);
    if (a.outputDir) writeNpy(path.join(a.outputDir, f), t);
    if (a.compareDir) {
      const theirs = path.join(a.compareDir, f);
      cmp.push({ output: name, ...(fs.existsSync(theirs)
        ? maxAbsDiff({ type: t.type, dims: t.dims, data: t.data }, readNpy(theirs))
        : { error: `${theirs} missing` }) });
    }
  }
  if (a.compareDir) result.compare = cmp;
  console.log(JSON.stringify(result));
}

main().catch((e) => fail(e.message ?? String(e)));
