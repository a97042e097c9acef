// POST /api/connections/{subscriptionId}/{resourceGroup}/{cluster}/{database}/{name}/adopt: authenticate (401
// first), read the optional access block ({"access": {...}}, the same as a create's), adopt, answer 201.
import * as z from "zod/mini";
import type { Caller, TokenValidator } from "../../auth/caller";
import type { ManagedConnection } from "../../connections/model";
import { anyAccessSchema } from "../../connections/schema/connectionSchemas";
import { parseConnectionKey } from "../../connections/schema/parseConnectionKey";
import { invalidRequest } from "../../connections/schema/parseUpsertRequest";
import { isAppError, type Result } from "../../errors";
import { getCorrelationId } from "../../http/correlation";
import type { HttpRequestLike, HttpResult } from "../../http/httpTypes";
import { toProblemResponse } from "../../http/problem";
import { readJsonBody } from "../../http/readJsonBody";
import { connectionHref, toConnectionView, toEtagHeader } from "../../http/views";
import type { Logger } from "../../logging/logger";
import type { AdoptInput } from "../adoptConnection";

export interface AdoptApiDeps {
  adopt(input: AdoptInput): Promise<Result<ManagedConnection>>;
  getTokenValidator(): TokenValidator;
}

const adoptBodySchema = z.strictObject({ access: z.optional(anyAccessSchema) });

export function createAdoptHandler(deps: AdoptApiDeps) {
  return async (request: HttpRequestLike, logger: Logger): Promise<HttpResult> => {
    const correlationId = getCorrelationId(request.headers);
    const context = { correlationId, instance: new URL(request.url).pathname };
    try {
      const caller: Result<Caller> = await deps.getTokenValidator().validate(request.headers.get("authorization"));
      if (!caller.ok) return toProblemResponse(caller.error, context);
      const key = parseConnectionKey(request.params);
      const body = await readJsonBody(request);
      if (!body.ok) return toProblemResponse(body.error, context);
      const parsed = adoptBodySchema.safeParse(body.value);
      const problems = [
        ...(key.ok ? [] : key.error.problems),
        ...(parsed.success ? [] : parsed.error.issues.map((i) => ({ code: "InvalidField", message: i.message, path: `/${i.path.map(String).join("/")}` }))),
      ];
      if (!key.ok || !parsed.success) return toProblemResponse(invalidRequest(problems), context);
      const adopted = await deps.adopt({ caller: caller.value, key: key.value, access: parsed.data.access ?? {}, correlationId });
      if (!adopted.ok) {
        logger.warn("Adopt refused", { correlationId, code: adopted.error.code });
        return toProblemResponse(adopted.error, context);
      }
      return {
        status: 201,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "cache-control": "no-store",
          location: new URL(connectionHref(adopted.value.key), request.url).toString(),
          "x-correlation-id": correlationId,
          ...toEtagHeader(adopted.value.etag),
        },
        body: JSON.stringify(toConnectionView(adopted.value)),
      };
    } catch (error) {
      logger.error("Adopt failed", { correlationId, code: isAppError(error) ? error.code : "InternalError" });
      return toProblemResponse(error, context);
    }
  };
}
