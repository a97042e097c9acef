// bench/coldstart: the first-use half of the bundled app: loading sdk.js (every package the composition root
// imports, as the root's first use does).
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("../../dist/sdk.js");
