# French et al.'s CutMix optimisation for Pascal VOC and Cityscapes, read from their official code
# (Britefury/cutmix-semisup-seg, train_seg_semisup_mask_mt.py and run_*_experiments.sh):
# - Adam (default --opt_type adam) with the pretrained backbone at 0.1x the rate of the new layers:
#   "dict(params=student_net.pretrained_parameters(), lr=learning_rate * 0.1), dict(params=...new_parameters(),
#   lr=learning_rate)"  -> paramwise_cfg lr_mult 0.1 on every parameter whose name contains 'backbone';
# - constant rate: --lr_sched default 'none' (no scheduler);
# - "--iters_per_epoch=1000 --num_epochs=40": 40k iterations; VOC "--learning_rate=1e-5" (Cityscapes configs set
#   their "--learning_rate=3e-5").
# = adam_40k.py (Adam 1e-5, 40k iterations, evaluation every 1000) with the backbone at 0.1x and no decay.
_base_ = ['./adam_40k.py']
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
param_scheduler = []  # constant
