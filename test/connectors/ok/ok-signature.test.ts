/**
 * The OK request signature against vectors computed by hand (with md5sum, outside this code) from the
 * rules at https://apiok.ru/en/dev/methods, plus the worked example from the aiookru docs.
 */
import { describe, expect, it } from 'vitest';
import { okSignedForm } from '../../../src/connectors/ok/ok-api';
import { okSessionSecret, okSign, okSignatureBase } from '../../../src/connectors/ok/ok-signature';

describe('OK request signature', () => {
  it('derives the session secret as lowercase MD5(access_token + application_secret_key)', () => {
    // echo -n "tok-abc0123456789ABCDEF01234567" | md5sum
    expect(okSessionSecret('tok-abc', '0123456789ABCDEF01234567')).toBe('233ba25768c164bd8acba2e88316b19e');
  });

  it('signs sorted key=value pairs joined with nothing, without access_token (hand-computed vector)', () => {
    const params = { method: 'group.getInfo', uids: '54104453840996', fields: 'uid,name', format: 'json', application_key: 'CBAFJIICABABABABA', access_token: 'tok-abc' };
    expect(okSignatureBase(params)).toBe('application_key=CBAFJIICABABABABAfields=uid,nameformat=jsonmethod=group.getInfouids=54104453840996');
    // echo -n "application_key=…uids=54104453840996233ba25768c164bd8acba2e88316b19e" | md5sum
    expect(okSign(params, okSessionSecret('tok-abc', '0123456789ABCDEF01234567'))).toBe('452a30e992abc290a3a9356a4e3665e9');
  });

  it('hashes UTF-8 values unencoded and uses a given session_secret_key as is (hand-computed vector)', () => {
    const params = { application_key: 'CBAFJIICABABABABA', method: 'mediatopic.post', gid: '54104453840996', type: 'GROUP_THEME', format: 'json', attachment: '{"media":[{"type":"text","text":"Привет"}]}' };
    expect(okSign(params, 'ae5362b5b588cc7294c2414d71b74d5d')).toBe('5a27c83c79f0950b935e528ec8627adc');
  });

  it('matches the worked server-server example of the aiookru documentation', () => {
    const params = { application_key: 'ABCDEFGHIGKLMNOPK', format: 'json', method: 'events.get' };
    const secret = okSessionSecret('-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7', 'ABC123DEF456GHI789JKL123');
    expect(secret).toBe('b1a2b89707a94624c43afae67d59274c');
    expect(okSign(params, secret)).toBe('232c8eb921951c4dba9b72606f9ddb4c');
  });

  it('builds the form: method, application_key, format=json, sig, and the token sent but not signed', () => {
    const form = okSignedForm('group.getInfo', { uids: '54104453840996', fields: 'uid,name' }, { applicationKey: 'CBAFJIICABABABABA', accessToken: 'tok-abc', sessionSecretKey: null, applicationSecretKey: '0123456789ABCDEF01234567' });
    expect(Object.fromEntries(form)).toEqual({
      uids: '54104453840996',
      fields: 'uid,name',
      application_key: 'CBAFJIICABABABABA',
      format: 'json',
      method: 'group.getInfo',
      sig: '452a30e992abc290a3a9356a4e3665e9',
      access_token: 'tok-abc',
    });
  });

  it('refuses to sign without any secret, in words', () => {
    expect(() => okSignedForm('group.getInfo', {}, { applicationKey: 'k', accessToken: 't', sessionSecretKey: null, applicationSecretKey: null })).toThrow(/session secret key|application secret key/);
  });
});
