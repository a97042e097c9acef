// The token validator the app runs with, from settings.api. Missing settings fail closed: every request is
// refused with a 500 naming the setting, rather than letting anyone in or blaming the caller with a 401.
import { AppError, fail } from "../errors";
import type { Settings } from "../config/settings";
import type { TokenValidator } from "./caller";
import { createJwtValidator } from "./jwtValidator";

export function createApiTokenValidator(api: Settings["api"]): TokenValidator {
  const missing = [
    ...(api.tenantId && api.issuer ? [] : ["API_TENANT_ID"]),
    ...(api.audiences.length > 0 ? [] : ["API_AUDIENCES"]),
    ...(api.jwksUri ? [] : ["API_JWKS_URI"]),
  ];
  if (missing.length > 0 || !api.issuer || !api.jwksUri) {
    const error = new AppError("internal", "AuthenticationNotConfigured", `Caller authentication is not configured (${missing.join(", ")}): every request is refused.`);
    return { validate: async () => fail(error) };
  }
  return createJwtValidator({ issuer: api.issuer, audiences: api.audiences, jwksUri: api.jwksUri, ...(api.tenantId ? { tenantId: api.tenantId } : {}) });
}
