// A real OpenID Provider (panva/oidc-provider) for one federation member, started by
// silkbridge's tests. Configuration comes from the environment:
//   PORT                               where it listens (0: any free port); the issuer is
//                                      http://127.0.0.1:<port>
//   CLIENT_ID, CLIENT_SECRET           the silkbridge relying party
//   REDIRECT_URIS                      comma-separated callback URLs
//   TEST_CLIENT_ID, TEST_CLIENT_SECRET a second client the tests use directly (to obtain real
//                                      ID tokens for validator tests), redirect http://127.0.0.1/cb
//   NATIONAL_ID_CLAIM                  e.g. pinfl (UZ) or fin (AZ)
//   KEY_ID                             the signing key's kid (a restart with another kid is a
//                                      key rotation)
// Every account exists; the development login form accepts any password. PORT=0 lets the
// system choose a free port (no race between tests); it prints "ready <port>" once listening.
import { generateKeyPairSync, createHash } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
};

// Listen first, so the issuer can name the port actually bound.
const server = createServer();
await new Promise((resolve) => server.listen(Number(env('PORT', '0')), '127.0.0.1', resolve));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;
const nationalIdClaim = env('NATIONAL_ID_CLAIM', 'pinfl');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: env('KEY_ID', 'key-1'), use: 'sig', alg: 'RS256' };

// A stable 14-digit national identifier derived from the account id.
const nationalId = (accountId) => {
  const digest = createHash('sha256').update(accountId).digest();
  return Array.from(digest.subarray(0, 14), (b) => String(b % 10)).join('');
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('CLIENT_ID'),
      client_secret: env('CLIENT_SECRET'),
      redirect_uris: env('REDIRECT_URIS').split(','),
      // RP-initiated logout returns to the relying party's root.
      post_logout_redirect_uris: [...new Set(env('REDIRECT_URIS').split(',').map((u) => new URL('/', u).href))],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: env('TEST_CLIENT_ID', 'test-client'),
      client_secret: env('TEST_CLIENT_SECRET', 'test-client-secret-0123456789abcdef'),
      redirect_uris: ['http://127.0.0.1/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'national_id'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email'],
    national_id: [nationalIdClaim],
  },
  // As the national providers do: the ID token says who (sub), the UserInfo endpoint says
  // the rest (name, e-mail, national identifier), read with the access token.
  conformIdTokenClaims: true,
  features: { devInteractions: { enabled: true } },
  ttl: { IdToken: 300, AccessToken: 300, Session: 600, Interaction: 600, Grant: 600 },
  findAccount: async (_ctx, accountId) => ({
    accountId,
    claims: async () => ({
      sub: accountId,
      name: `Test person ${accountId}`,
      email: `${accountId}@example.org`,
      [nationalIdClaim]: nationalId(accountId),
    }),
  }),
});
provider.proxy = false;
server.on('request', provider.callback());
console.log(`ready ${port}`);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Exit with the test process: its end closes our stdin.
process.stdin.on('end', stop);
process.stdin.resume();
