import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { AdMemberBody, type ClientResult } from '@flick/contracts';
import { api, errorMessage, useMe } from '../api.ts';
import { ErrorText, Spinner } from '../components/states.tsx';
import { showToast } from '../components/toast.tsx';
import { navigate } from '../router.ts';
import { adsPath, apiErrors, leftover, zodErrors, type FieldErrors } from './ads-format.ts';

type Member = ClientResult<'adMembers'>['items'][number];
type Role = Member['role'];
const ROLES: Record<Role, string> = { owner: 'Owner', admin: 'Admin', analyst: 'Analyst (read only)' };

/**
 * Who can work on this advertiser account and how: owners manage everyone, admins add and change admins and
 * analysts, anyone may leave; the API's refusals (last owner, unknown user, not allowed) are shown as they come.
 */
export function AdsMembersPanel({ advertiserId, myRole }: { advertiserId: string; myRole: Role | null }) {
  const { me } = useMe();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [rowError, setRowError] = useState<{ userId: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const canManage = myRole === 'owner' || myRole === 'admin';
  /** The roles I may hand out: admins cannot make owners. */
  const grantable = (Object.keys(ROLES) as Role[]).filter((r) => myRole === 'owner' || r !== 'owner');

  const load = useCallback(
    () =>
      api.call('adMembers', { params: { id: advertiserId } }).then(
        (r) => {
          setMembers(r.items);
          setLoadError(null);
        },
        (err: unknown) => setLoadError(errorMessage(err)),
      ),
    [advertiserId],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const body = { username, role };
    const checked = AdMemberBody.safeParse(body);
    if (!checked.success) return setErrors(zodErrors(checked.error));
    setBusy(true);
    setErrors({});
    try {
      const m = await api.call('addAdMember', { params: { id: advertiserId }, body: checked.data });
      showToast(`@${m.username} added as ${m.role}`);
      setUsername('');
      await load();
    } catch (err) {
      setErrors(apiErrors(err, errorMessage));
    } finally {
      setBusy(false);
    }
  };

  const change = async (m: Member, next: Role) => {
    setRowError(null);
    try {
      await api.call('updateAdMember', { params: { id: advertiserId, userId: m.userId }, body: { role: next } });
      showToast(`@${m.username} is now ${next}`);
      await load();
    } catch (err) {
      setRowError({ userId: m.userId, message: errorMessage(err) });
    }
  };

  const remove = async (m: Member) => {
    const self = m.userId === me?.id;
    if (!window.confirm(self ? 'Leave this advertiser account?' : `Remove @${m.username} from this advertiser account?`)) return;
    setRowError(null);
    try {
      await api.call('removeAdMember', { params: { id: advertiserId, userId: m.userId } });
      if (self) {
        showToast('You left the advertiser account');
        navigate(adsPath());
        return;
      }
      showToast(`@${m.username} removed`);
      await load();
    } catch (err) {
      setRowError({ userId: m.userId, message: errorMessage(err) });
    }
  };

  return (
    <section className="dv-section" data-testid="ads-members">
      <h2 className="dv-h2">Members</h2>
      {loadError && <ErrorText message={loadError} />}
      {!members && !loadError && <Spinner />}
      {members && (
        <ul className="ads-list" data-testid="member-list">
          {members.map((m) => {
            const self = m.userId === me?.id;
            const editable = canManage && !self && (myRole === 'owner' || m.role !== 'owner');
            return (
              <li key={m.userId} className="ads-row ads-member" data-testid="member-row" data-username={m.username} data-role={m.role}>
                <div className="ads-row-main">
                  <strong>
                    {m.displayName} {self && <span className="dv-muted">(you)</span>}
                  </strong>
                  <span className="dv-muted">
                    @{m.username} · since {new Date(m.addedAt).toLocaleDateString()}
                  </span>
                  {rowError?.userId === m.userId && (
                    <small className="ads-field-error" role="alert" data-testid="member-error">
                      {rowError.message}
                    </small>
                  )}
                </div>
                <div className="ads-row-actions">
                  {editable ? (
                    <select
                      aria-label={`Role of @${m.username}`}
                      value={m.role}
                      onChange={(e) => void change(m, e.target.value as Role)}
                      data-testid="member-role"
                    >
                      {grantable.map((r) => (
                        <option key={r} value={r}>
                          {ROLES[r]}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className={`ads-badge ads-badge-role-${m.role}`} data-testid="member-role-badge">
                      {m.role}
                    </span>
                  )}
                  {(editable || self) && (
                    <button
                      type="button"
                      className="btn btn-secondary dv-btn-small"
                      onClick={() => void remove(m)}
                      data-testid={self ? 'member-leave' : 'member-remove'}
                    >
                      {self ? 'Leave' : 'Remove'}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {canManage && (
        <form className="dv-form ads-member-form" onSubmit={(e) => void add(e)} noValidate data-testid="member-form">
          <div className="dv-form-row">
            <label className="ads-field">
              <span>Add a member by username</span>
              <input value={username} maxLength={31} placeholder="@username" onChange={(e) => setUsername(e.target.value)} data-testid="member-username" />
              {errors.username && (
                <small className="ads-field-error" data-testid="error-member-username">
                  {errors.username}
                </small>
              )}
            </label>
            <label className="ads-field">
              <span>Role</span>
              <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="member-new-role">
                {grantable.map((r) => (
                  <option key={r} value={r}>
                    {ROLES[r]}
                  </option>
                ))}
              </select>
              {errors.role && <small className="ads-field-error">{errors.role}</small>}
            </label>
          </div>
          <ErrorText message={leftover(errors, ['username', 'role'])} />
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="member-add">
            Add member
          </button>
        </form>
      )}
    </section>
  );
}
