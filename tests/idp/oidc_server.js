// A real OpenID Provider for the SSO tests: panva's certified `oidc-provider`, on a loopback port.
//
//   node oidc_server.js <port> <config.json>
//
// config.json: {"clients": [{client_id, client_secret, redirect_uris}], "accounts_file": path}.
// The accounts file ({"<login>": {"password", "email", "name"}}) is read again on every request,
// so a test removes a person "at the identity provider" by rewriting it. The sign-in and consent
// pages are our own plain forms (the library's dev pages carry inline scripts); consent is one
// button. Prints "listening" on stdout when ready.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const config = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const issuer = `http://127.0.0.1:${port}`;

function accounts() {
  return JSON.parse(readFileSync(config.accounts_file, 'utf8'));
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  })),
  cookies: { keys: ['meridian-test-idp'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => false },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const person = accounts()[id];
    if (!person) return undefined; // removed at the identity provider
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: person.email, email_verified: true, name: person.name };
      },
    };
  },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/(login|confirm))?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { uid, prompt, params, session } = details;
  if (ctx.method === 'GET' && prompt.name === 'login') {
    ctx.type = 'html';
    ctx.body = page('Sign in to the test identity provider',
      `<form method="post" action="/interaction/${uid}/login">`
      + `<label>Login <input name="login" autocomplete="username"></label>`
      + `<label>Password <input name="password" type="password"></label>`
      + `<button type="submit">Sign in</button></form>`);
    return undefined;
  }
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = page('Allow access',
      `<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Continue</button></form>`);
    return undefined;
  }
  const form = await readForm(ctx.req);
  if (match[3] === 'login') {
    const person = accounts()[form.get('login')];
    if (!person || person.password !== form.get('password')) {
      ctx.type = 'html';
      ctx.status = 200;
      ctx.body = page('Sign in to the test identity provider',
        `<p role="alert">Wrong login or password.</p><a href="/interaction/${uid}">Try again</a>`);
      return undefined;
    }
    const result = { login: { accountId: form.get('login') } };
    return provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  }
  const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write('listening\n');
});
