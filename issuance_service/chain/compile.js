// Compile the share-certificate contract with solc-js (no download: the compiler is the npm
// package) and write artifacts/ShareCertificate.json {abi, bytecode}. `--check` compiles and
// exits 1 when the committed artifact differs.
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const SOURCE = "contracts/ShareCertificate.sol";
const ARTIFACT = path.join(__dirname, "artifacts", "ShareCertificate.json");

function findImport(importPath) {
  const file = path.join(__dirname, "node_modules", importPath);
  if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
  return { error: `not found: ${importPath}` };
}

const input = {
  language: "Solidity",
  sources: { [SOURCE]: { content: fs.readFileSync(path.join(__dirname, SOURCE), "utf8") } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "paris",
    metadata: { bytecodeHash: "none" },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(2);
}
const contract = output.contracts[SOURCE].ShareCertificate;
const artifact = JSON.stringify(
  { contractName: "ShareCertificate", compiler: solc.version(), abi: contract.abi,
    bytecode: "0x" + contract.evm.bytecode.object },
  null, 2,
) + "\n";
if (process.argv.includes("--check")) {
  const committed = fs.existsSync(ARTIFACT) ? fs.readFileSync(ARTIFACT, "utf8") : "";
  if (committed !== artifact) {
    console.error("artifacts/ShareCertificate.json differs from a fresh compile");
    process.exit(1);
  }
  console.log("artifact matches a fresh compile");
} else {
  fs.writeFileSync(ARTIFACT, artifact);
  console.log(`wrote ${ARTIFACT}`);
}
