try:
    pool.submit(tasks.boom, 0).result(60)
except tessera.ExecutionFailed as e:
    err = e
