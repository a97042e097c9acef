// Callers' tokens for in-process runs of the HTTP API: a key pair made here, the app's real JWT validator over
// it (issuer, audience, tenant as configured), and every kind of bad token the authentication matrix needs.
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { createJwtValidator } from "../../../src/lib/auth/jwtValidator";
import type { TokenValidator } from "../../../src/lib/auth/caller";

export interface ApiTokensOptions {
  tenantId: string;
  audience: string;
}

export interface TokenClaims {
  objectId: string;
  roles?: string[];
  appId?: string;
  extra?: JWTPayload;
}

export interface ApiTokens {
  validator: TokenValidator;
  issuer: string;
  /** A valid token (1 h) for the caller. */
  tokenFor(claims: TokenClaims): Promise<string>;
  /** A token with the header, issuer, audience, times or key overridden: the matrix's bad tokens. */
  craft(claims: TokenClaims, options: CraftOptions): Promise<string>;
}

export interface CraftOptions {
  issuer?: string;
  audience?: string;
  tenantId?: string;
  /** Seconds from now; negative: already expired. */
  expiresInSeconds?: number;
  notBeforeInSeconds?: number;
  /** Signed by a key the validator does not know. */
  foreignKey?: boolean;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** `alg: none`: an unsigned token with an empty signature (RFC 7519 §6.1). */
export function unsignedToken(payload: JWTPayload): string {
  return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(payload)}.`;
}

/** The same token with one signature character changed. */
export function tamperSignature(token: string): string {
  const [header, payload, signature = ""] = token.split(".");
  const flipped = (signature[10] === "A" ? "B" : "A") + signature.slice(11);
  return `${header}.${payload}.${signature.slice(0, 10)}${flipped}`;
}

export async function createApiTokens(options: ApiTokensOptions): Promise<ApiTokens> {
  const issuer = `https://login.microsoftonline.com/${options.tenantId}/v2.0`;
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const foreign = await generateKeyPair("RS256");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" }] };
  const validator = createJwtValidator({ issuer, audiences: [options.audience], jwksUri: "https://unused.invalid/keys", keySet: createLocalJWKSet(jwks) });
  const now = () => Math.floor(Date.now() / 1000);

  async function craft(claims: TokenClaims, o: CraftOptions): Promise<string> {
    const jwt = new SignJWT({
      tid: o.tenantId ?? options.tenantId,
      oid: claims.objectId,
      roles: claims.roles ?? ["Connections.Write"],
      ...(claims.appId ? { azp: claims.appId } : {}),
      ...claims.extra,
    })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(o.issuer ?? issuer)
      .setAudience(o.audience ?? options.audience)
      .setIssuedAt()
      .setExpirationTime(now() + (o.expiresInSeconds ?? 3600));
    if (o.notBeforeInSeconds !== undefined) jwt.setNotBefore(now() + o.notBeforeInSeconds);
    return jwt.sign(o.foreignKey ? foreign.privateKey : privateKey);
  }

  return { validator, issuer, tokenFor: (claims) => craft(claims, {}), craft };
}
