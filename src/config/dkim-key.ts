// The DKIM private key: read and checked when the configuration loads (so a bad path is a one-line
// configuration error before anything starts), and read the same way by the signer.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

export interface DkimSettings {
  domain: string;
  selector: string;
  privateKeyPath: string;
}

/** The RSA key privateKeyPath names; throws ConfigError naming the setting (`where`) otherwise. */
export function readDkimKey(dkim: DkimSettings, where = 'email.dkim'): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(dkim.privateKeyPath, 'utf8');
  } catch (err) {
    throw new ConfigError(`${where}.privateKeyPath: cannot read ${dkim.privateKeyPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError(`${where}.privateKeyPath: ${dkim.privateKeyPath} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(`${where}.privateKeyPath: ${dkim.privateKeyPath}: expected an RSA key, got ${key.asymmetricKeyType}`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(dkim.selector)) throw new ConfigError(`${where}.selector: "${dkim.selector}" is not a DNS label`);
  if (!/^[A-Za-z0-9.-]+$/.test(dkim.domain)) throw new ConfigError(`${where}.domain: "${dkim.domain}" is not a domain name`);
  return key;
}
