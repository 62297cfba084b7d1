package vault

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestKill9 kills a real writer process (SIGKILL) in the middle of its
// transactions on a real file, then checks that the vault reopens at a
// committed state at least as new as the last commit the child reported,
// with every file of that state intact.
func TestKill9(t *testing.T) {
	if path := os.Getenv("VAULT_KILL_CHILD"); path != "" {
		killChild(path)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	path := filepath.Join(t.TempDir(), "k.vault")
	db, err := Create(path, keyOpts())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	rng := rand.New(rand.NewPCG(5, 5))
	rounds := 6
	if testing.Short() {
		rounds = 3
	}
	for round := range rounds {
		cmd := exec.Command(exe, "-test.run=^TestKill9$")
		cmd.Env = append(os.Environ(), "VAULT_KILL_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		last, want := -1, 1+rng.IntN(15)
		for i := 0; i < want && sc.Scan(); i++ {
			if n, err := strconv.Atoi(sc.Text()); err == nil {
				last = n
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		if last < 0 {
			t.Fatalf("round %d: the child reported no commit", round)
		}
		db, err := Open(path, keyOpts())
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		err = db.View(func(tx *Tx) error {
			b, err := tx.ReadFile("counter")
			if err != nil {
				return err
			}
			n, _ := strconv.Atoi(string(b))
			if n < last {
				return fmt.Errorf("counter %d, but the child reported commit %d", n, last)
			}
			for i := max(1, n-20); i <= n; i++ {
				got, err := tx.ReadFile(fmt.Sprintf("f/%d", i%50))
				if err != nil {
					return err
				}
				if i%50 == n%50 && string(got) != string(killContent(n)) {
					return fmt.Errorf("file f/%d does not hold commit %d", i%50, n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		mustCheck(t, db)
		db.Close()
	}
}

func killContent(n int) []byte { return pattern(byte(n), 3000+n%7*5000) }

// killChild commits forever, printing each committed counter.
func killChild(path string) {
	db, err := Open(path, keyOpts())
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	n := 0
	db.View(func(tx *Tx) error {
		if b, err := tx.ReadFile("counter"); err == nil {
			n, _ = strconv.Atoi(string(b))
		}
		return nil
	})
	for {
		n++
		err := db.Update(func(tx *Tx) error {
			if err := tx.MkdirAll("f", 0o755); err != nil {
				return err
			}
			if err := tx.WriteFile(fmt.Sprintf("f/%d", n%50), killContent(n), 0o644); err != nil {
				return err
			}
			return tx.WriteFile("counter", []byte(strconv.Itoa(n)), 0o644)
		})
		if err != nil {
			fmt.Println("update:", err)
			os.Exit(1)
		}
		fmt.Println(n)
	}
}
