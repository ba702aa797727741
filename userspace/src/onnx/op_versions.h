// Which ai.onnx operator versions after opset 17 librnpu implements.
//
// A node carries the model's opset (ir::Node::opset) and every backend reads
// an operator's semantics from it.  An operator whose schema changed after
// opset 17 (docs/Changelog.md of ONNX: opsets 18-22) must not reach a backend
// that only knows the older meaning, so the importer resolves each node's
// schema version (the newest version of that op <= the model's opset) and
// refuses versions this table does not mark implemented.  Operators without
// a change after 17 mean today what they meant at 17 and pass unchanged.
#pragma once

#include <string>
#include <vector>

namespace rnpu::onnx {

constexpr int kMaxOpset = 22;  // newest ai.onnx opset rnpu imports

struct OpVersion {
  int since = 0;            // schema version the node resolves to (0: no change after 17)
  bool implemented = true;  // false: refuse the model
  const char* change = "";  // what that version changed, for the refusal
};

// One schema version of an operator after opset 17.
struct OpChange {
  int since;
  bool implemented;
  const char* change;
};

// The schema version of ai.onnx `op` at model opset `opset` (> 17 only when
// the op changed after 17), and whether librnpu implements it.
OpVersion resolve_op_version(const std::string& op, int opset);
// The same over one op's list of changes (the table's rule, for tests).
OpVersion resolve_changes(const std::vector<OpChange>& changes, int opset);

}  // namespace rnpu::onnx
