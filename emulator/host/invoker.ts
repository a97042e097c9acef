// Runs one invocation the way the Node worker's InvocationHandler does: the app's programming model builds the
// arguments from RPC-shaped data, pre/post invocation hooks run around the handler, getResponse converts the result.
import { randomBytes, randomUUID } from "node:crypto";
import { format } from "node:util";
import type { CoreInvocationContext, InvocationState, RpcInvocationRequest, RpcInvocationResponse, RpcLogCategory, RpcLogLevel } from "./coreTypes";
import type { FunctionRegistry, RegisteredFunction } from "./functionRegistry";
import type { HostLogger } from "./hostLogger";

export type InvocationOutcome =
  | { ok: true; invocationId: string; response: RpcInvocationResponse }
  | { ok: false; invocationId: string; error: Error };

export interface Invoker {
  invoke(fn: RegisteredFunction, request: Omit<RpcInvocationRequest, "invocationId" | "functionId">, reason: string): Promise<InvocationOutcome>;
  /** Runs app-level hooks (appStart, appTerminate) in registration order. */
  runAppHook(name: "appStart" | "appTerminate", extra: Record<string, unknown>): Promise<void>;
}

export function createInvoker(registry: FunctionRegistry, logger: HostLogger): Invoker {
  async function runHooks(name: "preInvocation" | "postInvocation" | "appStart" | "appTerminate", context: Record<string, unknown>): Promise<void> {
    for (const hook of [...registry.hooks[name]]) await hook(context);
  }

  function emitLog(
    entry: { level: RpcLogLevel; category: RpcLogCategory; message: string; functionName?: string; invocationId?: string },
    invocationContext: unknown,
  ): void {
    const hookContext: Record<string, unknown> = { hookData: {}, appHookData: registry.appHookData, invocationContext, category: entry.category, level: entry.level, message: entry.message };
    for (const hook of [...registry.hooks.log]) {
      try {
        hook(hookContext);
      } catch (err) {
        logger.system("error", `A log hook failed: ${format(err)}`);
      }
    }
    // Hooks may change level and message of user logs only.
    const changed = entry.category === "user" ? { level: hookContext.level as RpcLogLevel, message: String(hookContext.message) } : {};
    logger.log({ ...entry, ...changed });
  }

  return {
    async runAppHook(name, extra) {
      await runHooks(name, { hookData: {}, appHookData: registry.appHookData, ...extra });
    },

    async invoke(fn, partialRequest, reason) {
      const invocationId = randomUUID();
      const functionName = fn.metadata.name;
      const started = performance.now();
      const request: RpcInvocationRequest = {
        ...partialRequest,
        invocationId,
        functionId: fn.metadata.functionId ?? functionName,
        traceContext: partialRequest.traceContext ?? { traceParent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`, traceState: "", attributes: {} },
      };
      let invocationContext: unknown;
      const coreCtx: CoreInvocationContext & { state?: InvocationState } = {
        invocationId,
        request,
        // As the worker hands it over: RPC binding info (type, direction, dataType, properties) only.
        metadata: {
          name: functionName,
          functionId: request.functionId ?? null,
          bindings: Object.fromEntries(
            Object.entries(fn.metadata.bindings).map(([name, b]) => [name, { type: b.type, direction: b.direction, dataType: b.dataType ?? null, properties: b.properties ?? {} }]),
          ),
          retryOptions: fn.metadata.retryOptions ?? null,
        },
        log(level, category, message) {
          emitLog({ level, category, message, functionName, invocationId }, invocationContext);
        },
      };
      logger.system("information", `Executing 'Functions.${functionName}' (Reason='${reason}', Id=${invocationId})`, { functionName, invocationId });
      const finish = (succeeded: boolean, error?: Error): void => {
        const durationInMs = Math.round(performance.now() - started);
        const status = succeeded ? "Succeeded" : "Failed";
        logger.system(succeeded ? "information" : "error", `Executed 'Functions.${functionName}' (${status}, Id=${invocationId}, Duration=${durationInMs}ms)${error ? `: ${error.stack ?? error.message}` : ""}`, {
          functionName,
          invocationId,
        });
      };
      try {
        const model = registry.programmingModel;
        if (!model) throw new Error("No programming model is registered: the app did not load @azure/functions.");
        const invocationModel = await model.getInvocationModel(coreCtx);
        const hookData: Record<string, unknown> = {};
        const args = await invocationModel.getArguments();
        invocationContext = args.context;
        const pre: Record<string, unknown> & { inputs: unknown[]; functionCallback: typeof fn.callback } = {
          hookData,
          appHookData: registry.appHookData,
          invocationContext: args.context,
          inputs: args.inputs,
          functionCallback: fn.callback,
        };
        coreCtx.state = "preInvocationHooks";
        try {
          await runHooks("preInvocation", pre);
        } finally {
          coreCtx.state = undefined;
        }
        const post: Record<string, unknown> & { result: unknown; error: unknown } = {
          hookData,
          appHookData: registry.appHookData,
          invocationContext: args.context,
          inputs: pre.inputs,
          result: null,
          error: null,
        };
        coreCtx.state = "invocation";
        try {
          post.result = await invocationModel.invokeFunction(args.context, pre.inputs, pre.functionCallback);
        } catch (err) {
          post.error = err;
        } finally {
          coreCtx.state = undefined;
        }
        coreCtx.state = "postInvocationHooks";
        try {
          await runHooks("postInvocation", post);
        } finally {
          coreCtx.state = undefined;
        }
        if (post.error !== null && post.error !== undefined) throw post.error;
        const response = await invocationModel.getResponse(args.context, post.result);
        finish(true);
        return { ok: true, invocationId, response };
      } catch (err) {
        const error = err instanceof Error ? err : new Error(format(err));
        finish(false, error);
        return { ok: false, invocationId, error };
      }
    },
  };
}
