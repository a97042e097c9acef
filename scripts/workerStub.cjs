// The part of the Functions worker that loading the app needs: `require("@azure/functions-core")` answered for
// every module of this process, as the worker's own hook does, with a core that accepts and drops registrations.
// For tools that load dist/ outside a host (scripts/writeCodeCache.cjs, bench/coldstart); the local host has the
// real thing (emulator/host/functionRegistry.ts).
const Module = require("node:module");

const core = {
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerFunction() {
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
  log() {},
  Disposable: class {
    dispose() {}
  },
};

exports.installFunctionsCore = function installFunctionsCore() {
  const original = Module.prototype.require;
  Module.prototype.require = function (id) {
    return id === "@azure/functions-core" ? core : original.apply(this, arguments);
  };
};
