// The worker's `@azure/functions-core` module for the local host: captures the app's registrations, hooks and
// programming model, and is served to `require` the way the Node worker does it (setupCoreModule.ts).
import Module from "node:module";
import type { Disposable, FunctionCallback, FunctionMetadata, HookCallback, HookName, ProgrammingModel, RpcBindingInfo, RpcLogCategory, RpcLogLevel } from "./coreTypes";

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

export interface FunctionRegistry {
  functions: Map<string, RegisteredFunction>;
  hooks: Record<HookName, HookCallback[]>;
  appHookData: Record<string, unknown>;
  programmingModel?: ProgrammingModel;
  /** Set once the entry has loaded: later registrations are refused, as in the worker. */
  startupFinished: boolean;
}

export const coreModuleName = "@azure/functions-core";

class CoreDisposable implements Disposable {
  static from(...disposables: { dispose(): unknown }[]): CoreDisposable {
    return new CoreDisposable(() => disposables.forEach((d) => d.dispose()));
  }
  #callOnDispose: (() => unknown) | undefined;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

export function createFunctionRegistry(): FunctionRegistry {
  return {
    functions: new Map(),
    hooks: { appStart: [], appTerminate: [], preInvocation: [], postInvocation: [], log: [] },
    appHookData: {},
    startupFinished: false,
  };
}

export interface CoreApiOptions {
  registry: FunctionRegistry;
  hostVersion: string;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

export function createCoreApi({ registry, hostVersion, log }: CoreApiOptions) {
  return {
    version: "local-host",
    hostVersion,
    setProgrammingModel(model: ProgrammingModel): void {
      if (registry.programmingModel) log("information", "system", `Setting Node.js programming model to "${model.name}" version "${model.version}"`);
      registry.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return registry.programmingModel;
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      if (registry.startupFinished) throw new Error("A function can only be registered during app startup.");
      if (registry.functions.has(metadata.name)) throw new Error(`A function named "${metadata.name}" is already registered.`);
      registry.functions.set(metadata.name, { metadata: { ...metadata, functionId: metadata.functionId ?? metadata.name }, callback });
      return new CoreDisposable(() => {
        if (registry.startupFinished) throw new Error("A function can only be disposed during app startup.");
        registry.functions.delete(metadata.name);
      });
    },
    registerHook(hookName: string, callback: HookCallback): Disposable {
      if (!(hookName in registry.hooks)) {
        // The worker throws a RangeError for hooks it does not know; the library turns that into a clear message.
        const error = new RangeError(`Unrecognized hook "${hookName}"`) as RangeError & { isAzureFunctionsSystemError: boolean };
        error.isAzureFunctionsSystemError = true;
        throw error;
      }
      const list = registry.hooks[hookName as HookName];
      list.push(callback);
      return new CoreDisposable(() => {
        const index = list.indexOf(callback);
        if (index >= 0) list.splice(index, 1);
      });
    },
    log,
    Disposable: CoreDisposable,
  };
}

export type CoreApi = ReturnType<typeof createCoreApi>;

/** Serves `require("@azure/functions-core")` to every module of this process, as the worker's proxy does. */
export function installCoreModule(coreApi: CoreApi): () => void {
  // Module.prototype.require is not in @types/node's public Module typings; the worker patches it the same way.
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  const original = proto.require;
  proto.require = new Proxy(original, {
    apply(target, thisArg, argArray: unknown[]) {
      if (argArray[0] === coreModuleName) return coreApi;
      return Reflect.apply(target, thisArg, argArray) as unknown;
    },
  });
  return () => {
    proto.require = original;
  };
}

/** The trigger binding of a registration: its name (the input's binding name) and its options. */
export function getTriggerBinding(fn: RegisteredFunction): { name: string; binding: RpcBindingInfo; type: string } {
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (typeof binding.type === "string" && /trigger$/i.test(binding.type)) return { name, binding, type: binding.type };
  }
  throw new Error(`Function "${fn.metadata.name}" has no trigger binding.`);
}
