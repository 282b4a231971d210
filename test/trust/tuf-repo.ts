/**
 * A real TUF repository built in memory for tests: ed25519 keys made here,
 * metadata made and signed with @tufjs/models, consistent snapshots as the
 * Sigstore repository uses them. Only the bytes are built here; serving
 * them is `serve.ts`'s job.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

import {
  Key,
  MetaFile,
  Metadata,
  Root,
  Signature,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
} from '@tufjs/models';
import type { KeyObject } from 'node:crypto';

/** A key of the repository, with its private half. */
export interface RepoKey {
  readonly key: Key;
  readonly privateKey: KeyObject;
}

const ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
type RoleName = (typeof ROLES)[number];

/** A new ed25519 key; its key ID is the SHA-256 of its PEM. */
export function newKey(): RepoKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyID = createHash('sha256').update(pem).digest('hex');
  const key = new Key({
    keyID,
    keyType: 'ed25519',
    scheme: 'ed25519',
    keyVal: { public: pem },
  });
  return { key, privateKey };
}

function signer(k: RepoKey) {
  return (data: Buffer) =>
    new Signature({
      keyID: k.key.keyID,
      sig: sign(null, data, k.privateKey).toString('hex'),
    });
}

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');

function bytesOf(md: Metadata<Root | Targets | Snapshot | Timestamp>) {
  return Buffer.from(JSON.stringify(md.toJSON()));
}

/** What {@link TufRepo.publish} may vary, to make a broken repository. */
export interface PublishOptions {
  /** The target's name in the targets metadata. */
  targetName?: string;
  /** Days until the timestamp expires; negative for an expired one. */
  timestampDays?: number;
  /** Signs the timestamp or snapshot with this key instead. */
  timestampKey?: RepoKey;
  snapshotKey?: RepoKey;
  /** The version of the targets, snapshot and timestamp; next by default. */
  version?: number;
}

/** A TUF repository whose files tests serve and tamper with. */
export class TufRepo {
  /** The files to serve, by path relative to the mirror. */
  readonly files = new Map<string, Buffer>();
  readonly keys: Record<RoleName, RepoKey> = {
    root: newKey(),
    targets: newKey(),
    snapshot: newKey(),
    timestamp: newKey(),
  };
  rootVersion = 0;
  private version = 0;

  constructor() {
    this.addRoot([this.keys.root]);
  }

  /** The first root, to give the client as its initial root. */
  get initialRoot(): Buffer {
    return this.files.get('1.root.json')!;
  }

  /** Publishes the next root version with the current keys. */
  addRoot(signers: RepoKey[]): void {
    this.rootVersion += 1;
    const root = new Root({
      version: this.rootVersion,
      specVersion: '1.0.31',
      expires: inDays(365),
      consistentSnapshot: true,
    });
    for (const role of ROLES) root.addKey(this.keys[role].key, role);
    const md = new Metadata(root);
    for (const k of signers) md.sign(signer(k));
    this.files.set(`${this.rootVersion}.root.json`, bytesOf(md));
  }

  /** Publishes `target` with new targets, snapshot and timestamp metadata. */
  publish(target: Buffer, opts: PublishOptions = {}): void {
    this.version = opts.version ?? this.version + 1;
    const v = this.version;
    const sha256 = createHash('sha256').update(target).digest('hex');
    const name = opts.targetName ?? 'trusted_root.json';
    this.files.set(`targets/${sha256}.${name}`, target);

    const file = new TargetFile({
      path: name,
      length: target.length,
      hashes: { sha256 },
    });
    const targets = new Metadata(
      new Targets({
        version: v,
        specVersion: '1.0.31',
        expires: inDays(30),
        targets: { [name]: file },
      }),
    );
    targets.sign(signer(this.keys.targets));
    this.files.set(`${v}.targets.json`, bytesOf(targets));

    const meta = { 'targets.json': new MetaFile({ version: v }) };
    const snapshot = new Metadata(
      new Snapshot({
        version: v,
        specVersion: '1.0.31',
        expires: inDays(30),
        meta,
      }),
    );
    snapshot.sign(signer(opts.snapshotKey ?? this.keys.snapshot));
    this.files.set(`${v}.snapshot.json`, bytesOf(snapshot));

    const timestamp = new Metadata(
      new Timestamp({
        version: v,
        specVersion: '1.0.31',
        expires: inDays(opts.timestampDays ?? 1),
        snapshotMeta: new MetaFile({ version: v }),
      }),
    );
    timestamp.sign(signer(opts.timestampKey ?? this.keys.timestamp));
    this.files.set('timestamp.json', bytesOf(timestamp));
  }

  /** The path of a published target, to tamper with it. */
  targetPath(target: Buffer, name = 'trusted_root.json'): string {
    const sha256 = createHash('sha256').update(target).digest('hex');
    return `targets/${sha256}.${name}`;
  }
}
