/**
 * Parsed views of the watched objects, indexed the way decisions need them: VMIMs by the VMI
 * they migrate, target pods by their VMIM's UID. Fed by informer events only; a malformed update
 * leaves the last good view in place (skipped, not treated as a deletion).
 */
import { type NodeView, type TargetPodView, type VmimView, type VmiView } from './objectViews.js';

export const vmiKey = (namespace: string, name: string) => `${namespace}/${name}`;

export class MigrationIndex {
  private readonly vmimsByVmi = new Map<string, Map<string, VmimView>>();
  private readonly vmiKeyByVmimUid = new Map<string, string>();
  private readonly vmis = new Map<string, VmiView>();
  private readonly nodeViews = new Map<string, NodeView>();
  private readonly podsByVmimUid = new Map<string, TargetPodView>();

  putVmim(v: VmimView): string {
    const key = vmiKey(v.namespace, v.vmiName);
    // spec.vmiName is immutable in KubeVirt, but a same-named VMIM recreated for another VMI must not linger.
    const previous = this.vmiKeyByVmimUid.get(v.uid);
    if (previous && previous !== key) this.vmimsByVmi.get(previous)?.delete(v.name);
    let byName = this.vmimsByVmi.get(key);
    if (!byName) {
      byName = new Map();
      this.vmimsByVmi.set(key, byName);
    }
    byName.set(v.name, v);
    this.vmiKeyByVmimUid.set(v.uid, key);
    return key;
  }

  /** Removes a VMIM by namespace and name (a delete event may carry a stale body). */
  deleteVmim(namespace: string, name: string, uid?: string): string | undefined {
    const key = uid ? this.vmiKeyByVmimUid.get(uid) : undefined;
    const keys = key ? [key] : [...this.vmimsByVmi.keys()].filter((k) => k.startsWith(`${namespace}/`));
    for (const k of keys) {
      const byName = this.vmimsByVmi.get(k);
      const v = byName?.get(name);
      if (!v || v.namespace !== namespace) continue;
      byName!.delete(name);
      if (byName!.size === 0) this.vmimsByVmi.delete(k);
      this.vmiKeyByVmimUid.delete(v.uid);
      this.podsByVmimUid.delete(v.uid);
      return k;
    }
    return undefined;
  }

  vmimsOf(key: string): VmimView[] {
    return [...(this.vmimsByVmi.get(key)?.values() ?? [])];
  }

  hasVmims(key: string): boolean {
    return (this.vmimsByVmi.get(key)?.size ?? 0) > 0;
  }

  vmiKeyOfVmim(uid: string): string | undefined {
    return this.vmiKeyByVmimUid.get(uid);
  }

  /** Every VMI key with at least one VMIM: all a resync needs to look at. */
  keysWithVmims(): string[] {
    return [...this.vmimsByVmi.keys()];
  }

  putVmi(v: VmiView): string {
    const key = vmiKey(v.namespace, v.name);
    this.vmis.set(key, v);
    return key;
  }

  deleteVmi(namespace: string, name: string): string {
    const key = vmiKey(namespace, name);
    this.vmis.delete(key);
    return key;
  }

  vmi(key: string): VmiView | undefined {
    return this.vmis.get(key);
  }

  /** Every cached VMI (the machine-type capacity gauges count them). */
  vmiViews(): IterableIterator<VmiView> {
    return this.vmis.values();
  }

  putNode(n: NodeView): void {
    this.nodeViews.set(n.name, n);
  }

  deleteNode(name: string): void {
    this.nodeViews.delete(name);
  }

  get nodes(): ReadonlyMap<string, NodeView> {
    return this.nodeViews;
  }

  putPod(p: TargetPodView): void {
    this.podsByVmimUid.set(p.vmimUid, p);
  }

  deletePod(vmimUid: string, name: string): void {
    if (this.podsByVmimUid.get(vmimUid)?.name === name) this.podsByVmimUid.delete(vmimUid);
  }

  targetPod(vmimUid: string): TargetPodView | undefined {
    return this.podsByVmimUid.get(vmimUid);
  }
}
