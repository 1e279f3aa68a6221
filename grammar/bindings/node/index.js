// The package's entry point: where the grammar's files are, for tools that
// load a grammar from its sources (the tree-sitter CLI, editors that compile
// src/ themselves) and for build scripts that copy the queries.
//
// There is no native Node binding (binding.gyp / node-gyp) yet: the project
// builds and tests the parser through C (bindings/c, Makefile), so this module
// exports paths and node types, never a `language` object that would not load.
const path = require("path");

const root = path.join(__dirname, "..", "..");
const queriesPath = path.join(root, "queries");

module.exports = {
  name: "article",
  scope: "text.article",
  root,
  srcPath: path.join(root, "src"),
  queriesPath,
  queries: {
    highlights: path.join(queriesPath, "highlights.scm"),
    folds: path.join(queriesPath, "folds.scm"),
    tags: path.join(queriesPath, "tags.scm"),
    textobjects: path.join(queriesPath, "textobjects.scm"),
    outline: path.join(queriesPath, "outline.scm"),
  },
  nodeTypeInfo: require("../../src/node-types.json"),
};
