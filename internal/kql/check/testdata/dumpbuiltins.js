// Dumps the built-in scalar and aggregate functions of Microsoft's KQL
// language service (the kusto-oracle's npm package) as JSON lines: name,
// result-naming rule, and signatures. genbuiltins.py turns the output into
// ../builtins_gen.go. Run with NODE_PATH pointing at the oracle's cache.
global.Bridge = require('@kusto/language-service-next/bridge.min.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
const K = global.Kusto.Language, S = K.Symbols;
const g = K.GlobalState.Default;
function list(l) { if (Array.isArray(l)) return l; const out = []; if (!l) return out; if (l.Count===undefined && l.getEnumerator){const e=l.getEnumerator();while(e.moveNext())out.push(e.Current);return out;} for (let i = 0; i < l.Count; i++) out.push(l.getItem(i)); return out; }
const rev=e=>{const m={};for(const k in e){if(typeof e[k]==='number')m[e[k]]=k};return m};
const RN=rev(S.ResultNameKind), RK=rev(S.ReturnTypeKind), PK=rev(S.ParameterTypeKind);
function dump(fs, agg){ for(const f of list(fs)){ 
  const sigs=list(f.Signatures).map(s=>({ret:RK[s.ReturnKind], rt: s.DeclaredReturnType? s.DeclaredReturnType.Name : (s._returnType? s._returnType.Name:null), params:list(s.Parameters).map(p=>({n:p.Name,k:PK[p.TypeKind],t:list(p.DeclaredTypes).map(t=>t.Name),min:p.MinOccurring,max:p.MaxOccurring}))}));
  console.log(JSON.stringify({name:f.Name,agg,rn:RN[f.ResultNameKind],prefix:f.ResultNamePrefix,tab:f.Tabularity,sigs}));}}
dump(g.Functions,false); dump(g.Aggregates,true);
