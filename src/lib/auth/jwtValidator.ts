// Validates the API's Entra bearer tokens with jose: RS256 only, exact issuer, one of the audiences, exp/nbf,
// and the tenant (`tid`) of the issuer. Every refusal is a 401 with a stable code; the token is never logged.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { AppError, fail, ok, type Result } from "../errors";
import type { Caller, TokenValidator } from "./caller";

export interface JwtValidatorOptions {
  /** Exact `iss`, e.g. https://login.microsoftonline.com/{tenant}/v2.0. */
  issuer: string;
  /** Accepted `aud` values: the API's app ID URI and/or client ID. */
  audiences: string[];
  /** Where the signing keys are (the authority's discovery/v2.0/keys). */
  jwksUri: string;
  /** Tenant whose tokens are accepted; default: the GUID in the issuer's path. */
  tenantId?: string;
  /** Allowed clock skew for exp/nbf; default 60 s. */
  clockToleranceInSeconds?: number;
  /** Tests: a key set instead of fetching jwksUri (jose's createLocalJWKSet). */
  keySet?: JWTVerifyGetKey;
}

const algorithms = ["RS256"];
const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export function createJwtValidator(options: JwtValidatorOptions): TokenValidator {
  const tenantId = (options.tenantId ?? new URL(options.issuer).pathname.match(guid)?.[0])?.toLowerCase();
  if (!tenantId) throw new Error(`The token issuer ${options.issuer} names no tenant; pass tenantId.`);
  if (options.audiences.length === 0) throw new Error("At least one accepted token audience is required.");
  // Fetched on first use, cached, refetched (rate-limited by jose) when a token names an unknown kid: key rollover.
  const keySet = options.keySet ?? createRemoteJWKSet(new URL(options.jwksUri));

  return {
    async validate(authorizationHeader) {
      const token = bearerToken(authorizationHeader);
      if (!token.ok) return token;
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token.value);
      } catch {
        return fail(unauthorized("MalformedToken", "The bearer token is not a JWT."));
      }
      // Checked before any key lookup: alg "none" or HS256 signed with the public key never reach jose's verify.
      if (header.alg !== "RS256") return fail(unauthorized("UnsupportedAlgorithm", `Tokens signed with ${String(header.alg)} are not accepted (RS256 only).`));
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token.value, keySet, {
          issuer: options.issuer,
          audience: options.audiences,
          algorithms,
          clockTolerance: options.clockToleranceInSeconds ?? 60,
          requiredClaims: ["exp", "tid", "oid"],
        }));
      } catch (error) {
        return fail(toAppError(error));
      }
      if (typeof payload.tid !== "string" || payload.tid.toLowerCase() !== tenantId) {
        return fail(unauthorized("WrongTenant", "The token was issued for another tenant."));
      }
      return toCaller(payload);
    },
  };
}

function bearerToken(header: string | null | undefined): Result<string> {
  const match = header?.match(/^\s*Bearer\s+(\S+)\s*$/i);
  if (!match) return fail(unauthorized("MissingToken", "Send an Entra access token for this API: Authorization: Bearer <token>."));
  return ok(match[1] as string);
}

function toCaller(payload: JWTPayload): Result<Caller> {
  const claim = (name: string) => (typeof payload[name] === "string" && payload[name] !== "" ? (payload[name] as string) : undefined);
  const objectId = claim("oid");
  const tenantId = claim("tid");
  if (!objectId || !tenantId) return fail(unauthorized("MalformedToken", "The token lacks the oid or tid claim."));
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
  const appId = claim("azp") ?? claim("appid");
  const name = claim("upn") ?? claim("preferred_username") ?? claim("app_displayname");
  return ok({ tenantId, objectId, roles, ...(appId ? { appId } : {}), ...(name ? { name } : {}) });
}

function toAppError(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) return unauthorized("TokenExpired", "The token has expired.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return unauthorized("WrongIssuer", "The token's issuer is not accepted.");
    if (error.claim === "aud") return unauthorized("WrongAudience", "The token is not for this API (audience).");
    if (error.claim === "nbf") return unauthorized("TokenNotYetValid", "The token is not valid yet (nbf).");
    if (error.claim === "exp") return unauthorized("TokenExpired", "The token has expired.");
    return unauthorized("MalformedToken", `The token's ${error.claim} claim is missing or invalid.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthorized("UnsupportedAlgorithm", "The token's algorithm is not accepted (RS256 only).");
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return unauthorized("InvalidSignature", "The token's signature does not verify with the issuer's keys.");
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return unauthorized("MalformedToken", "The bearer token is not a valid JWT.");
  }
  // The key set could not be fetched or read: our dependency failed, not the caller (503-like, retryable).
  return new AppError("upstream", "SigningKeysUnavailable", "The token issuer's signing keys could not be read; retry later.", {
    cause: error,
    retryAfterInSeconds: 5,
  });
}

function unauthorized(code: string, message: string): AppError {
  return new AppError("unauthorized", code, message);
}
