// crdgen writes the CustomResourceDefinitions of the KubeVirt version it is compiled with, as that
// version's virt-operator would install them (pkg/virt-operator/resource/generate/components.New*Crd).
//
// It is kvfleet's own program, not upstream code: testbed/tools.d/virt-controller.sh copies it into the
// writable copy of the kubevirt.io/kubevirt module it builds virt-controller from (as cmd/kvfleet-crdgen)
// and compiles it there, so the CRDs always match the virt-controller binary.
//
//	kvfleet-crdgen <out dir>   writes <out dir>/crds.json (a v1 List) and <out dir>/crds.yaml (multi-document)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"kubevirt.io/kubevirt/pkg/virt-operator/resource/generate/components"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kvfleet-crdgen <out dir>")
		os.Exit(2)
	}
	out := os.Args[1]
	makers := []func() (*extv1.CustomResourceDefinition, error){
		components.NewVirtualMachineInstanceCrd,
		components.NewVirtualMachineCrd,
		components.NewPresetCrd,
		components.NewReplicaSetCrd,
		components.NewVirtualMachineInstanceMigrationCrd,
		components.NewKubeVirtCrd,
		components.NewVirtualMachinePoolCrd,
		components.NewVirtualMachineSnapshotCrd,
		components.NewVirtualMachineSnapshotContentCrd,
		components.NewVirtualMachineRestoreCrd,
		components.NewVirtualMachineExportCrd,
		components.NewVirtualMachineInstancetypeCrd,
		components.NewVirtualMachineClusterInstancetypeCrd,
		components.NewVirtualMachinePreferenceCrd,
		components.NewVirtualMachineClusterPreferenceCrd,
		components.NewMigrationPolicyCrd,
		components.NewVirtualMachineCloneCrd,
	}
	items := make([]*extv1.CustomResourceDefinition, 0, len(makers))
	for _, mk := range makers {
		crd, err := mk()
		if err != nil {
			fail(err)
		}
		crd.TypeMeta.APIVersion = "apiextensions.k8s.io/v1"
		crd.TypeMeta.Kind = "CustomResourceDefinition"
		items = append(items, crd)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })

	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": items}
	js, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		fail(err)
	}
	var docs []byte
	for _, crd := range items {
		y, err := yaml.Marshal(crd)
		if err != nil {
			fail(err)
		}
		docs = append(docs, "---\n"...)
		docs = append(docs, y...)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fail(err)
	}
	write(filepath.Join(out, "crds.json"), append(js, '\n'))
	write(filepath.Join(out, "crds.yaml"), docs)
	fmt.Fprintf(os.Stderr, "kvfleet-crdgen: %d CRDs written to %s\n", len(items), out)
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kvfleet-crdgen:", err)
	os.Exit(1)
}
