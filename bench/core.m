-- core.m: the core benchmark alphabet of reapcheck (docs/core-alphabet.md, "The core
-- benchmark alphabet") in Murphi, for Rumur. It must reach exactly the states
-- of `reapcheck explore --alphabet core --symmetry off` (no scalarsets, so
-- Rumur applies no symmetry reduction). bench/core_bench.sh sets N and
-- PROFILE by rewriting the two const lines:
--   sed 's/^  N: .*/  N: 4;/' core.m > m.m && rumur --output m.c m.m && cc -O2 -o m m.c -lpthread && ./m
-- PROFILE: 0 linux-6.18, 1 rfc-v1, 2 rfc-v3, 3 v4, 4 v5, 5 mainline.
-- Every enabled rule is one transition; a failed call or a no-op fires a
-- rule that leads back to the same state, as in reapcheck.

const
  N: 4;
  PROFILE: 5;

type
  slot_t: 0..N-1;
  status_t: enum { FREE, ALIVE, ZOMBIE };
  disp_t: enum { DFL, IGN, NOCLDWAIT };

var
  st: array [slot_t] of status_t;
  par: array [slot_t] of slot_t;       -- real parent
  esig: array [slot_t] of boolean;     -- exit_signal SIGCHLD (else 0)
  ar: array [slot_t] of boolean;       -- signal.autoreap
  iss: array [slot_t] of boolean;      -- is_child_subreaper
  hss: array [slot_t] of boolean;      -- has_child_subreaper
  disp: array [slot_t] of disp_t;      -- SIGCHLD action
  code: array [slot_t] of boolean;     -- exit code 1 (else 0) of a zombie
  pend: array [slot_t] of boolean;     -- SIGCHLD pending

procedure clear_slot(t: slot_t);
begin
  st[t] := FREE; par[t] := 0; esig[t] := false; ar[t] := false; iss[t] := false;
  hss[t] := false; disp[t] := DFL; code[t] := false; pend[t] := false;
end;

-- do_notify_parent(t, sig) for an untraced leader (docs/kernel-rules.md 4.6, 6.1)
procedure notify(t: slot_t; s: boolean; var selfreap: boolean);
var sig: boolean;
begin
  sig := s;
  selfreap := false;
  if sig & (disp[par[t]] = IGN | disp[par[t]] = NOCLDWAIT) then
    selfreap := true;
    if disp[par[t]] = IGN then sig := false; endif;
  endif;
  if PROFILE != 0 & ar[t] then selfreap := true; sig := false; endif;
  if sig then pend[par[t]] := true; endif;
end;

-- exit_notify as one step: find_new_reaper, reparent_leader, notify, release
procedure do_exit(p: slot_t; c: boolean);
var reaper: slot_t; r: slot_t; found: boolean; sr: boolean;
begin
  reaper := 0;
  if hss[p] then
    r := par[p];
    found := false;
    while r != 0 & !found do
      if iss[r] then reaper := r; found := true; else r := par[r]; endif;
    endwhile;
  endif;
  for q: slot_t do
    if q != 0 & st[q] != FREE & par[q] = p then
      par[q] := reaper;
      esig[q] := true;
      if st[q] = ZOMBIE then
        notify(q, true, sr);
        if sr then clear_slot(q); endif;
      endif;
    endif;
  endfor;
  st[p] := ZOMBIE; code[p] := c;
  notify(p, esig[p], sr);
  ar[p] := false; iss[p] := false; hss[p] := false; disp[p] := DFL; pend[p] := false;
  if sr then clear_slot(p); endif;
end;

ruleset p: slot_t; fa: boolean; fp: boolean; e: boolean do
  rule "clone3"
    st[p] = ALIVE & exists q: slot_t do q != 0 & st[q] = FREE endexists
  ==>
  var f: slot_t; ok: boolean; found: boolean;
  begin
    -- clone3_args_valid and copy_process checks (docs/kernel-rules.md 2.3, 2.5)
    ok := !(fa & PROFILE = 0) & !(fp & e) & !(fp & p = 0) & !(fa & PROFILE = 1)
          & !(fa & fp & PROFILE >= 3) & !(fa & e) & !(fp & PROFILE = 5 & ar[p]);
    if ok then
      f := 0; found := false;
      for q: slot_t do
        if !found & q != 0 & st[q] = FREE then f := q; found := true; endif;
      endfor;
      st[f] := ALIVE;
      if fp then
        par[f] := par[p];
        if fa & (PROFILE = 1 | PROFILE = 2) then esig[f] := false; else esig[f] := esig[p]; endif;
      else
        par[f] := p; esig[f] := e;
      endif;
      hss[f] := hss[par[f]] | iss[par[f]];
      ar[f] := fa; iss[f] := false; disp[f] := disp[p]; code[f] := false; pend[f] := false;
    endif;
  end;
endruleset;

ruleset p: slot_t; c: boolean do
  rule "exit"
    p != 0 & st[p] = ALIVE
  ==>
  begin
    do_exit(p, c);
  end;
endruleset;

ruleset p: slot_t; q: slot_t; wall: boolean do
  rule "wait4"
    st[p] = ALIVE & q != 0 & st[q] != FREE & par[q] = p
  ==>
  begin
    if (wall | esig[q]) & st[q] = ZOMBIE then clear_slot(q); endif;
  end;
endruleset;

ruleset p: slot_t; d: disp_t do
  rule "sigaction"
    p != 0 & st[p] = ALIVE
  ==>
  begin
    disp[p] := d; pend[p] := false;   -- SIG_DFL and SIG_IGN discard a pending SIGCHLD
  end;
endruleset;

ruleset p: slot_t; a: boolean do
  rule "prctl"
    st[p] = ALIVE
  ==>
  var mark: array [slot_t] of boolean;
  begin
    iss[p] := a;
    if a then
      for i: slot_t do mark[i] := false; endfor;
      mark[p] := true;
      for k: slot_t do
        for q: slot_t do
          if q != 0 & q != p & st[q] = ALIVE & !hss[q] & !mark[q] & mark[par[q]] then
            hss[q] := true; mark[q] := true;
          endif;
        endfor;
      endfor;
    endif;
  end;
endruleset;

ruleset p: slot_t do
  rule "sigpending"
    st[p] = ALIVE
  ==>
  begin
    pend[p] := false;
  end;
endruleset;

startstate "init and main"
begin
  for i: slot_t do clear_slot(i); endfor;
  st[0] := ALIVE;
  st[1] := ALIVE; esig[1] := true;
end;
