// Replaces secret values in log text by "***" (values shorter than 4 are left alone:
// masking "a" or "on" would garble every line). The sandbox masks too; this covers
// raw stdout/stderr lines that bypass its console.

export function createMasker(values: readonly string[]): (text: string) => string {
  const secrets = [...new Set(values)]
    .filter((value) => value.length >= 4)
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let masked = text;
    for (const secret of secrets) {
      if (masked.includes(secret)) masked = masked.split(secret).join("***");
    }
    return masked;
  };
}
