const BARE_TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;

/**
 * JSON.parse that also accepts Python's bare `NaN`, `Infinity` and `-Infinity` tokens (what `json.dumps`
 * writes for non-finite floats). They become the strings "NaN"/"Infinity"/"-Infinity", which the metric
 * readers already treat as non-finite values. Throws like JSON.parse on anything else that is invalid.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only pay for the rewrite when a bare token could be the reason it failed.
    if (!/NaN|Infinity/.test(text)) throw error;
    return JSON.parse(quoteBareTokens(text));
  }
}

// Walks the text once, tracking whether we are inside a string, so `"NaN"` in a key or value is left alone.
function quoteBareTokens(text: string): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
      i += 1;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      i += 1;
      continue;
    }
    const token = BARE_TOKENS.find((t) => text.startsWith(t, i));
    if (token) {
      out += `"${token}"`;
      i += token.length;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}
