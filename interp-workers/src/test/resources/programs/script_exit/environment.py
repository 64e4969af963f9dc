import os
import subprocess

print(os.environ.get("PATH"))
print(subprocess.run(["sh", "-c", "echo $PATH"], capture_output=True, text=True).stdout.strip())
