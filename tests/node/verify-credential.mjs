// Verify an Anyam Open Badges credential with tools nobody at Anyam wrote: Digital Bazaar's
// VC library with the eddsa-jcs-2022 cryptosuite (proof, issuer controller document, status
// list) and 1EdTech's OB 3.0 JSON schemas (ajv). No network: the document loader answers
// only from the vendored contexts (tests/node/contexts/) and from the documents given.
//
//   node tests/node/verify-credential.mjs --credential cred.json \
//        [--doc URL=file.json ...] [--schema tests/specs/ob3-achievementcredential-schema.json] \
//        [--profile profile.json --profile-schema tests/specs/ob3-profile-schema.json]
//
// Prints one JSON verdict: {verified, error, status: {checked, verified, revoked}, schema}.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const contextsDir = path.join(here, 'contexts');

function parseArgs(argv) {
  const args = {docs: {}};
  for(let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if(flag === '--doc') {
      const at = value.indexOf('=');
      args.docs[value.slice(0, at)] = value.slice(at + 1);
    } else {
      args[flag.replace(/^--/, '')] = value;
    }
  }
  return args;
}

const readJson = file => JSON.parse(fs.readFileSync(file, 'utf8'));

function makeLoader(docs) {
  const index = readJson(path.join(contextsDir, 'index.json'));
  const loaded = new Map();
  for(const [url, file] of Object.entries(index)) {
    loaded.set(url, readJson(path.join(contextsDir, file)));
  }
  for(const [url, file] of Object.entries(docs)) {
    loaded.set(url, readJson(file));
  }
  return async url => {
    const [base, fragment] = url.split('#');
    const document = loaded.get(base);
    if(document === undefined) {
      throw new Error(`Offline document loader: unknown URL ${url}`);
    }
    if(fragment === undefined) {
      return {contextUrl: null, documentUrl: url, document};
    }
    // A fragment of a controller document: its verification method.
    const method = (document.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`No verification method ${url} in ${base}`);
    }
    return {
      contextUrl: null, documentUrl: url,
      document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
    };
  };
}

function schemaCheck(schemaFile, document) {
  const ajv = new Ajv2019({strict: false, allErrors: true});
  addFormats(ajv);
  const validate = ajv.compile(readJson(schemaFile));
  const valid = validate(document);
  return {valid, errors: valid ? [] : validate.errors.map(
    e => `${e.instancePath || '/'} ${e.message}`)};
}

function describe(error) {
  if(!error) {
    return null;
  }
  const errors = Array.isArray(error) ? error : [error];
  return errors.map(e => {
    const inner = Array.isArray(e.errors) ? e.errors : [];
    return [e.message || String(e), ...inner.map(i => describe(i))].join(': ');
  }).join('; ');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const credential = readJson(args.credential);
  const documentLoader = makeLoader(args.docs);
  const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
  const verdict = {verified: false, error: null, status: {checked: false}, schema: {}};

  const hasStatus = Boolean(credential.credentialStatus);
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    ...(hasStatus ? {checkStatus} : {})
  });
  verdict.verified = result.verified === true;
  verdict.error = describe(result.error);
  if(hasStatus) {
    // The bit on its own (also for a credential whose proof fails).
    const status = await checkStatus({credential, documentLoader, suite});
    const first = (status.results || [])[0] || {};
    verdict.status = {
      checked: true, verified: status.verified === true,
      revoked: first.status === true, error: describe(status.error || first.error)
    };
    if(verdict.status.revoked) {
      verdict.verified = false;
      verdict.error = verdict.error || 'revoked';
    }
  }
  if(args.schema) {
    verdict.schema.credential = schemaCheck(args.schema, credential);
  }
  if(args.profile && args['profile-schema']) {
    verdict.schema.profile = schemaCheck(args['profile-schema'], readJson(args.profile));
  }
  process.stdout.write(JSON.stringify(verdict) + '\n');
}

main().catch(error => {
  process.stdout.write(JSON.stringify({verified: false, error: String(error.stack || error)}) + '\n');
  process.exitCode = 2;
});
