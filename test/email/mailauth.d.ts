// mailauth ships no type declarations; this covers the one function the email tests use.
declare module 'mailauth/lib/dkim/verify.js' {
  export interface DkimResult {
    signingDomain: string;
    selector: string;
    status: { result: string; comment?: string; header?: Record<string, string> };
    signingHeaders: { keys: string; headers: string[]; canonicalizedHeader?: Buffer };
  }
  export function dkimVerify(input: Buffer | string, options?: { resolver?: (name: string, type: string) => Promise<string[][]> }): Promise<{ results: DkimResult[] }>;
}
