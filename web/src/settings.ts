/**
 * Every option of the explorer as one flat record of strings with defaults: the URL (a shareable link)
 * and the browser's storage hold the values that differ from the defaults. '' means "not set": the
 * engine's default (or the dataset's) applies, as when a CLI flag is left out.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';

export const DEFAULTS = {
  /** bundled dataset (empty for an uploaded file or a dataset in the link) */
  d: '',
  tab: 'analysis',
  // model options (the CLI's fit flags)
  measure: '',
  method: '',
  preset: '',
  test: '',
  level: '95',
  pi: 'default',
  smd: '',
  vtype: '',
  add: '',
  to: '',
  drop00: '',
  by: '',
  keep: '',
  // forest plot
  sort: 'input',
  fl: '',
  fr: '',
  title: '',
  // regression
  mods: '',
  predict: '',
  perm: '',
  pseed: '1',
  // sensitivity
  order: '',
  gsub: '20000',
  gseed: '1',
  // publication bias
  egger: 'sei',
  emodel: 'rma',
  tfest: 'L0',
  tfside: '',
  fsn: 'Rosenthal',
  fsntarget: '',
  contour: '1',
  trimfill: '1',
  // multilevel
  mvmods: '',
  profile: '1',
  random: '',
  struct: '',
  V: '',
  robust: '',
  vcov: 'CR1',
  mvtest: 'z',
  dfs: '',
  // risk of bias, data diff
  unweighted: '',
  mid: '',
} as const;

export type Key = keyof typeof DEFAULTS;
const KEYS = Object.keys(DEFAULTS) as Key[];
export type Values = Record<Key, string>;

const isKey = (k: string): k is Key => Object.hasOwn(DEFAULTS, k);

/** The values that differ from the defaults, in declaration order. */
function changed(v: Values): [Key, string][] {
  return KEYS.filter((k) => v[k] !== DEFAULTS[k]).map((k) => [k, v[k]]);
}

/** Values from a record of strings (unknown keys ignored; missing keys get their defaults). */
export function valuesFrom(record: Readonly<Record<string, string>>): Values {
  const v = { ...DEFAULTS } as Values;
  for (const [k, x] of Object.entries(record)) if (isKey(k)) v[k] = x;
  return v;
}

/** What a link carries: the options, the studies switched off (0-based rows) and optionally a small dataset. */
export interface LinkState {
  readonly values: Values;
  readonly off: readonly number[];
  readonly data: { readonly name: string; readonly csv: string } | null;
}

const b64url = (bytes: Uint8Array): string => {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const fromB64url = (text: string): Uint8Array => {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
};

/** A CSV compressed into a URL-safe string (deflate, base64url). */
export const encodeData = (csv: string): string => b64url(deflateSync(strToU8(csv), { level: 9 }));
const decodeData = (text: string): string => strFromU8(inflateSync(fromB64url(text)));

/** The longest link the explorer writes with data in it (characters of the encoded CSV). */
export const MAX_LINK_DATA = 8000;

/** The URL fragment of a state (the fragment never reaches a server). */
export function toFragment(state: LinkState): string {
  const p = new URLSearchParams();
  for (const [k, v] of changed(state.values)) p.set(k, v);
  if (state.off.length > 0) p.set('off', state.off.map((i) => i + 1).join(','));
  if (state.data) {
    p.set('file', state.data.name);
    p.set('data', encodeData(state.data.csv));
  }
  return p.toString();
}

/** The state of a URL fragment, or null when it has none. Malformed parts are reported, not guessed. */
export function fromFragment(hash: string): (LinkState & { readonly problems: readonly string[] }) | null {
  const text = hash.replace(/^#/, '');
  if (text === '') return null;
  const p = new URLSearchParams(text);
  const problems: string[] = [];
  const record: Record<string, string> = {};
  for (const [k, v] of p) {
    if (isKey(k)) record[k] = v;
    else if (k !== 'off' && k !== 'data' && k !== 'file') problems.push(`unknown setting '${k}' in the link (ignored)`);
  }
  const off: number[] = [];
  for (const part of (p.get('off') ?? '').split(',').filter((x) => x !== '')) {
    const n = Number(part);
    if (Number.isInteger(n) && n >= 1) off.push(n - 1);
    else problems.push(`'${part}' in off= is not a row number (ignored)`);
  }
  let data: LinkState['data'] = null;
  const encoded = p.get('data');
  if (encoded !== null) {
    try {
      data = { name: p.get('file') ?? 'data-from-link.csv', csv: decodeData(encoded) };
    } catch {
      problems.push(
        'the dataset in the link is damaged (it could not be decompressed); the link may have been cut short',
      );
    }
  }
  return { values: valuesFrom(record), off, data, problems };
}
